using System.CommandLine;
using Gateway.LedgerClient.Embedded;

namespace Gateway.Host.Cli;

/// <summary><c>gateway ledger verify [--db FILE] [--anchor HASH] [--json]</c>: exit 0 when the chain is intact, 1 naming the first tampered block.</summary>
internal static class LedgerVerbVerify
{
    public static Command Create()
    {
        var db = LedgerVerb.DatabaseOption();
        var json = LedgerVerb.JsonOption();
        var anchor = new Option<string?>("--anchor")
        {
            Description = "A head hash printed by an earlier verify and kept elsewhere; fails when no block of the chain has it (the file was rewritten).",
        };
        var command = new Command("verify", "Re-walk the hash chain, recomputing every hash; name the first tampered block. Exit 0 intact, 1 tampered, 2 not a ledger.");
        command.Options.Add(db);
        command.Options.Add(anchor);
        command.Options.Add(json);
        command.SetAction(async (ParseResult result, CancellationToken cancellationToken) =>
            await RunAsync(result.GetValue(db)!, result.GetValue(anchor), result.GetValue(json), result.InvocationConfiguration.Output, result.InvocationConfiguration.Error, cancellationToken));
        return command;
    }

    public static async Task<int> RunAsync(string databasePath, string? anchorHashHex, bool json, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        LedgerVerification verification;
        try
        {
            verification = await EmbeddedLedgerVerifier.VerifyAsync(databasePath, anchorHashHex, cancellationToken);
        }
        catch (ArgumentException e)
        {
            error.WriteLine($"error: {e.Message}");
            return ExitCodes.BadInput;
        }
        catch (Exception e) when (e is FileNotFoundException or InvalidDataException or Microsoft.Data.Sqlite.SqliteException)
        {
            return LedgerVerbOutput.Fail(error, e);
        }

        if (json)
        {
            LedgerVerbOutput.WriteJson(output, new
            {
                ledger = databasePath,
                intact = verification.IsIntact,
                blocks = verification.BlockCount,
                settlements = verification.SettlementCount,
                headHash = verification.HeadHash,
                firstTamper = verification.FirstTamper is { } t
                    ? new { block = t.BlockNumber, kind = t.Kind.ToString(), settlementId = t.SettlementId, description = t.Description }
                    : null,
            });
        }
        else if (verification.FirstTamper is { } tamper)
        {
            output.WriteLine($"TAMPERED {databasePath}: first tampered block is {tamper.BlockNumber} ({tamper.Kind})");
            output.WriteLine($"  {tamper.Description}");
            if (tamper.Kind != LedgerTamperKind.AnchorMissing && verification.BlockCount > 0)
                output.WriteLine($"  blocks 1–{verification.BlockCount} check out ({verification.SettlementCount} settlements)");
        }
        else
        {
            output.WriteLine($"intact {databasePath}: {verification.BlockCount} blocks, {verification.SettlementCount} settlements");
            output.WriteLine($"  head hash {verification.HeadHash ?? "(empty ledger)"}");
        }
        return verification.IsIntact ? ExitCodes.Ok : ExitCodes.Failed;
    }
}
