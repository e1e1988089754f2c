using System.CommandLine;
using Gateway.Runtime.Ledger;
using Gateway.LedgerClient.Embedded;
using Gateway.LedgerClient.Fabric;

namespace Gateway.Host.Cli;

/// <summary>
/// <c>gateway ledger verify [--db FILE] [--anchor HASH] [--json]</c>: exit 0 when the embedded chain is intact, 1 naming the first tampered block.
/// <c>gateway ledger verify --rig FILE [--json]</c>: the rig's journal against its ledgers (embedded or Fabric) — every
/// journaled settlement on the chain exactly once with identical content, every side-chain record there, nothing pending or dead.
/// </summary>
internal static class LedgerVerbVerify
{
    public static Command Create()
    {
        var db = LedgerVerb.DatabaseOption();
        var json = LedgerVerb.JsonOption();
        var rig = LedgerVerb.RigOption();
        var anchor = new Option<string?>("--anchor")
        {
            Description = "A head hash printed by an earlier verify and kept elsewhere; fails when no block of the chain has it (the file was rewritten).",
        };
        var command = new Command("verify", "Re-walk the embedded hash chain, or (--rig) check the rig's journal against its ledgers, embedded or Fabric. Exit 0 intact, 1 tampered or inconsistent, 2 bad input, 3 peer unreachable.");
        command.Options.Add(db);
        command.Options.Add(anchor);
        command.Options.Add(rig);
        command.Options.Add(json);
        command.SetAction(async (ParseResult result, CancellationToken cancellationToken) => result.GetValue(rig) is { } rigPath
            ? await RunForRigAsync(rigPath, result.GetValue(json), result.InvocationConfiguration.Output, result.InvocationConfiguration.Error, cancellationToken)
            : await RunAsync(result.GetValue(db)!, result.GetValue(anchor), result.GetValue(json), result.InvocationConfiguration.Output, result.InvocationConfiguration.Error, cancellationToken));
        return command;
    }

    public static async Task<int> RunForRigAsync(string rigPath, bool json, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var report = new LedgerVerbFailure("ledger verify", json, output, error);
        var (context, failure) = await LedgerRigContext.OpenAsync(rigPath, report, cancellationToken);
        if (context is null) return failure;
        await using (context)
        {
            var (journal, journalFailure) = await LedgerRigContext.ReadJournalAsync(context.Rig.JournalPath, report, required: true, cancellationToken);
            if (journal is null) return journalFailure;
            JournalLedgerReport verified;
            try
            {
                verified = await JournalLedgerVerifier.VerifyAsync(journal, context.Ledgers, cancellationToken);
            }
            catch (FabricLedgerException e)
            {
                return report.Unreachable(e);
            }
            if (json)
            {
                LedgerVerbOutput.WriteJson(output, new
                {
                    exitCode = verified.IsConsistent ? ExitCodes.Ok : ExitCodes.Failed,
                    rig = rigPath,
                    ledger = context.Ledgers.Description,
                    consistent = verified.IsConsistent,
                    epoch = journal.Epoch,
                    settlements = verified.Settlements,
                    decisions = verified.Decisions,
                    deliveries = verified.Deliveries,
                    pending = verified.Pending,
                    dead = verified.Dead,
                    disagreements = verified.Disagreements.Select(d => new { stream = d.Stream, key = d.Key, problem = d.Problem }),
                    embeddedChain = verified.EmbeddedChain is { } c ? new { intact = c.IsIntact, blocks = c.BlockCount, headHash = c.HeadHash, firstTamper = c.FirstTamper?.Description,
                        streams = c.Streams.Select(s => new { stream = s.Stream.ToString().ToLowerInvariant(), entries = s.EntryCount, intact = s.IsIntact, firstTamper = s.FirstTamper?.Description }) } : null,
                });
            }
            else
            {
                output.WriteLine($"{(verified.IsConsistent ? "verified" : "INCONSISTENT")} {rigPath}: {context.Ledgers.Description}");
                output.WriteLine($"  journal epoch {journal.Epoch ?? "(none)"}: {verified.Settlements} settlements on the main chain, {verified.Decisions} decisions, {verified.Deliveries} deliveries checked; {verified.Pending} pending, {verified.Dead} dead-lettered");
                foreach (var d in verified.Disagreements.Take(20)) output.WriteLine($"  {d.Stream} {d.Key}: {d.Problem}");
                if (verified.Disagreements.Count > 20) output.WriteLine($"  … and {verified.Disagreements.Count - 20} more");
                if (verified.Pending > 0 || verified.Dead > 0) output.WriteLine("  see `gateway ledger backlog --rig " + rigPath + "`");
                if (verified.EmbeddedChain is { } chain)
                    output.WriteLine(chain.IsIntact
                        ? $"  embedded chain intact: {chain.BlockCount} blocks, {chain.SettlementCount} settlements, {string.Join(", ", chain.Streams.Select(s => $"{s.EntryCount} {s.Stream.ToString().ToLowerInvariant()} entries"))}"
                        : $"  embedded chain TAMPERED: {chain.FirstTamper?.Description ?? chain.Streams.First(s => !s.IsIntact).FirstTamper!.Description}");
            }
            return verified.IsConsistent ? ExitCodes.Ok : ExitCodes.Failed;
        }
    }

    public static async Task<int> RunAsync(string databasePath, string? anchorHashHex, bool json, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var report = new LedgerVerbFailure("ledger verify", json, output, error);
        LedgerVerification verification;
        try
        {
            verification = await EmbeddedLedgerVerifier.VerifyAsync(databasePath, anchorHashHex, cancellationToken);
        }
        catch (ArgumentException e)
        {
            return report.Fail(ExitCodes.BadInput, e.Message);
        }
        catch (Exception e) when (e is FileNotFoundException or InvalidDataException or Microsoft.Data.Sqlite.SqliteException)
        {
            return report.FileProblem(e);
        }

        var streamTamper = verification.Streams.FirstOrDefault(s => !s.IsIntact)?.FirstTamper;
        if (json)
        {
            LedgerVerbOutput.WriteJson(output, new
            {
                exitCode = verification.IsIntact ? ExitCodes.Ok : ExitCodes.Failed,
                ledger = databasePath,
                intact = verification.IsIntact,
                blocks = verification.BlockCount,
                settlements = verification.SettlementCount,
                headHash = verification.HeadHash,
                firstTamper = verification.FirstTamper is { } t
                    ? new { block = t.BlockNumber, kind = t.Kind.ToString(), settlementId = t.SettlementId, description = t.Description }
                    : null,
                streams = verification.Streams.Select(s => new
                {
                    stream = s.Stream.ToString().ToLowerInvariant(),
                    entries = s.EntryCount,
                    headHash = s.HeadHash,
                    intact = s.IsIntact,
                    firstTamper = s.FirstTamper is { } st ? new { entry = st.BlockNumber, kind = st.Kind.ToString(), key = st.SettlementId, description = st.Description } : null,
                }),
            });
        }
        else if (verification.FirstTamper is { } tamper)
        {
            output.WriteLine($"TAMPERED {databasePath}: first tampered block is {tamper.BlockNumber} ({tamper.Kind})");
            output.WriteLine($"  {tamper.Description}");
            if (tamper.Kind != LedgerTamperKind.AnchorMissing && verification.BlockCount > 0)
                output.WriteLine($"  blocks 1–{verification.BlockCount} check out ({verification.SettlementCount} settlements)");
        }
        else if (streamTamper is not null)
        {
            output.WriteLine($"TAMPERED {databasePath}: {streamTamper.Description} ({streamTamper.Kind})");
        }
        else
        {
            output.WriteLine($"intact {databasePath}: {verification.BlockCount} blocks, {verification.SettlementCount} settlements" +
                string.Concat(verification.Streams.Where(s => s.EntryCount > 0).Select(s => $", {s.EntryCount} {s.Stream.ToString().ToLowerInvariant()} entries")));
            output.WriteLine($"  head hash {verification.HeadHash ?? "(empty ledger)"}");
        }
        return verification.IsIntact ? ExitCodes.Ok : ExitCodes.Failed;
    }
}
