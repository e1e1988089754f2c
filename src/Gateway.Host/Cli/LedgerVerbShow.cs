using System.CommandLine;
using Gateway.LedgerClient;
using Gateway.LedgerClient.Embedded;
using Gateway.LedgerClient.Fabric;
using Spectre.Console;

namespace Gateway.Host.Cli;

/// <summary>
/// <c>gateway ledger show --round ID [--db FILE | --rig FILE] [--json]</c>: a round's settlements as committed — on the
/// embedded file, or (<c>--rig</c>) on the rig's main chain, embedded or Fabric (<c>QueryRound</c>).
/// </summary>
internal static class LedgerVerbShow
{
    /// <summary>One settlement as the ledger holds it; Fabric's query gives no block, position or commit time.</summary>
    private sealed record Row(SettlementRecord Settlement, long? BlockNumber, int? Position, string? TransactionId, DateTimeOffset? CommittedAtUtc);

    public static Command Create()
    {
        var db = LedgerVerb.DatabaseOption();
        var rig = LedgerVerb.RigOption();
        var json = LedgerVerb.JsonOption();
        var round = new Option<string>("--round") { Description = "The market round (interval) id.", Required = true };
        var command = new Command("show", "Print a round's settlements as committed (the embedded file, or with --rig the rig's main chain, embedded or Fabric). Exit 1 when the round has none.");
        command.Options.Add(round);
        command.Options.Add(db);
        command.Options.Add(rig);
        command.Options.Add(json);
        command.SetAction(async (ParseResult result, CancellationToken cancellationToken) => result.GetValue(rig) is { } rigPath
            ? await RunForRigAsync(rigPath, result.GetValue(round)!, result.GetValue(json), result.InvocationConfiguration.Output, result.InvocationConfiguration.Error, cancellationToken)
            : await RunAsync(result.GetValue(db)!, result.GetValue(round)!, result.GetValue(json), result.InvocationConfiguration.Output, result.InvocationConfiguration.Error, cancellationToken));
        return command;
    }

    public static async Task<int> RunAsync(string databasePath, string roundId, bool json, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var report = new LedgerVerbFailure("ledger show", json, output, error);
        if (string.IsNullOrWhiteSpace(roundId)) return report.Fail(ExitCodes.BadInput, "--round needs a round id");
        IReadOnlyList<LedgerEntry> entries;
        try
        {
            entries = await EmbeddedLedgerReader.QueryRoundAsync(databasePath, roundId, cancellationToken);
        }
        catch (Exception e) when (e is FileNotFoundException or InvalidDataException or Microsoft.Data.Sqlite.SqliteException)
        {
            return report.FileProblem(e);
        }
        return Write(databasePath, roundId, entries.Select(e => new Row(e.Settlement, e.BlockNumber, e.Position, e.TransactionId, e.CommittedAtUtc)).ToList(), json, output);
    }

    public static async Task<int> RunForRigAsync(string rigPath, string roundId, bool json, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var report = new LedgerVerbFailure("ledger show", json, output, error);
        if (string.IsNullOrWhiteSpace(roundId)) return report.Fail(ExitCodes.BadInput, "--round needs a round id");
        var (context, failure) = await LedgerRigContext.OpenAsync(rigPath, report, cancellationToken);
        if (context is null) return failure;
        await using (context)
        {
            List<Row> rows;
            try
            {
                rows = context.Ledgers.Settlements is FabricLedger fabric
                    ? (await fabric.QueryRoundEntriesAsync(roundId, cancellationToken)).Select(e => new Row(e.Settlement, null, null, e.TransactionId, null)).ToList()
                    : (await EmbeddedLedgerReader.QueryRoundAsync(context.Rig.Ledger.EmbeddedPath, roundId, cancellationToken))
                        .Select(e => new Row(e.Settlement, e.BlockNumber, e.Position, e.TransactionId, e.CommittedAtUtc)).ToList();
            }
            catch (FabricLedgerException e)
            {
                return report.Unreachable(e);
            }
            catch (Exception e) when (e is FileNotFoundException or InvalidDataException or Microsoft.Data.Sqlite.SqliteException)
            {
                return report.FileProblem(e);
            }
            return Write(context.Ledgers.Description, roundId, rows, json, output);
        }
    }

    private static int Write(string where, string roundId, IReadOnlyList<Row> entries, bool json, TextWriter output)
    {
        var exitCode = entries.Count > 0 ? ExitCodes.Ok : ExitCodes.Failed;
        if (json)
        {
            LedgerVerbOutput.WriteJson(output, new
            {
                exitCode,
                round = roundId,
                ledger = where,
                settlements = entries.Select(e => LedgerVerbOutput.SettlementJson(e.Settlement, withRound: false,
                    ("block", e.BlockNumber), ("position", e.Position), ("transactionId", e.TransactionId), ("committedAtUtc", e.CommittedAtUtc))),
            });
        }
        else if (entries.Count > 0)
        {
            var table = new Table().Title($"Round {Markup.Escape(roundId)}: {entries.Count} settlements");
            foreach (var header in new[] { "Block", "Settlement", "Payer → Payee", "Energy kWh", "Price /kWh", "Amount", "Interval (UTC)", "Committed (UTC)", "Tx" })
                table.AddColumn(header);
            foreach (var column in table.Columns.Skip(3).Take(3)) column.RightAligned();
            foreach (var e in entries)
            {
                var s = e.Settlement;
                table.AddRow(
                    e.BlockNumber is { } block ? $"{block}" : "–",
                    Markup.Escape(s.SettlementId),
                    Markup.Escape($"{s.PayerId} → {s.PayeeId}"),
                    SettlementCanonicalForm.FormatDecimal(s.EnergyKwh),
                    SettlementCanonicalForm.FormatDecimal(s.PricePerKwh),
                    SettlementCanonicalForm.FormatDecimal(s.Amount),
                    LedgerVerbOutput.Interval(s),
                    e.CommittedAtUtc is { } at ? $"{at.UtcDateTime:yyyy-MM-dd HH:mm:ss}" : "–",
                    e.TransactionId is { Length: > 0 } tx ? tx[..Math.Min(12, tx.Length)] : "–");
            }
            var console = LedgerVerbOutput.Console(output);
            console.Write(table);
            console.WriteLine($"total energy {SettlementCanonicalForm.FormatDecimal(entries.Sum(e => e.Settlement.EnergyKwh))} kWh, " +
                              $"total amount {SettlementCanonicalForm.FormatDecimal(entries.Sum(e => e.Settlement.Amount))}");
        }
        else
        {
            output.WriteLine($"no settlements for round '{roundId}' in {where}");
        }
        return exitCode;
    }
}
