using System.CommandLine;
using Gateway.LedgerClient.Embedded;
using Spectre.Console;

namespace Gateway.Host.Cli;

/// <summary><c>gateway ledger show --round ID [--db FILE] [--json]</c>: a round's settlements as committed.</summary>
internal static class LedgerVerbShow
{
    public static Command Create()
    {
        var db = LedgerVerb.DatabaseOption();
        var json = LedgerVerb.JsonOption();
        var round = new Option<string>("--round") { Description = "The market round (interval) id.", Required = true };
        var command = new Command("show", "Print a round's settlements as committed on the embedded ledger. Exit 1 when the round has none.");
        command.Options.Add(round);
        command.Options.Add(db);
        command.Options.Add(json);
        command.SetAction(async (ParseResult result, CancellationToken cancellationToken) =>
            await RunAsync(result.GetValue(db)!, result.GetValue(round)!, result.GetValue(json), result.InvocationConfiguration.Output, result.InvocationConfiguration.Error, cancellationToken));
        return command;
    }

    public static async Task<int> RunAsync(string databasePath, string roundId, bool json, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(roundId))
        {
            error.WriteLine("error: --round needs a round id");
            return ExitCodes.BadInput;
        }
        IReadOnlyList<LedgerEntry> entries;
        try
        {
            entries = await EmbeddedLedgerReader.QueryRoundAsync(databasePath, roundId, cancellationToken);
        }
        catch (Exception e) when (e is FileNotFoundException or InvalidDataException or Microsoft.Data.Sqlite.SqliteException)
        {
            return LedgerVerbOutput.Fail(error, e);
        }

        if (json)
        {
            LedgerVerbOutput.WriteJson(output, new
            {
                round = roundId,
                settlements = entries.Select(e => new
                {
                    settlementId = e.Settlement.SettlementId,
                    payerId = e.Settlement.PayerId,
                    payeeId = e.Settlement.PayeeId,
                    energyKwh = e.Settlement.EnergyKwh,
                    pricePerKwh = e.Settlement.PricePerKwh,
                    amount = e.Settlement.Amount,
                    intervalStartUtc = e.Settlement.IntervalStartUtc,
                    intervalEndUtc = e.Settlement.IntervalEndUtc,
                    block = e.BlockNumber,
                    position = e.Position,
                    transactionId = e.TransactionId,
                    committedAtUtc = e.CommittedAtUtc,
                }),
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
                    $"{e.BlockNumber}",
                    Markup.Escape(s.SettlementId),
                    Markup.Escape($"{s.PayerId} → {s.PayeeId}"),
                    SettlementCanonicalForm.FormatDecimal(s.EnergyKwh),
                    SettlementCanonicalForm.FormatDecimal(s.PricePerKwh),
                    SettlementCanonicalForm.FormatDecimal(s.Amount),
                    $"{s.IntervalStartUtc.UtcDateTime:yyyy-MM-dd HH:mm}–{s.IntervalEndUtc.UtcDateTime:HH:mm}",
                    $"{e.CommittedAtUtc.UtcDateTime:yyyy-MM-dd HH:mm:ss}",
                    e.TransactionId[..12]);
            }
            var console = LedgerVerbOutput.Console(output);
            console.Write(table);
            console.WriteLine($"total energy {SettlementCanonicalForm.FormatDecimal(entries.Sum(e => e.Settlement.EnergyKwh))} kWh, " +
                              $"total amount {SettlementCanonicalForm.FormatDecimal(entries.Sum(e => e.Settlement.Amount))}");
        }
        else
        {
            output.WriteLine($"no settlements for round '{roundId}' in {databasePath}");
        }
        return entries.Count > 0 ? ExitCodes.Ok : ExitCodes.Failed;
    }
}
