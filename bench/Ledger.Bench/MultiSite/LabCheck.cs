using Gateway.LedgerClient;
using Gateway.LedgerClient.Fabric;
using Gateway.LedgerClient.Outbox;
using Microsoft.Data.Sqlite;

namespace Gateway.Bench.MultiSite;

/// <summary>
/// <c>dotnet run -c Release -- labcheck --lab DIR [--channel txmain]</c>: on a real network, what the CI tests check on the
/// test peer — a settlement conflicting with one already on the chain (an earlier run's content under the same id) is
/// dead-lettered at once with the chaincode's reason, named, while the rest of its round and the next round commit, and
/// a resent round is recognised as already committed. Prints what happened; exit 0 when it went as it should.
/// </summary>
internal static class LabCheck
{
    public static async Task<int> RunAsync(string[] args)
    {
        var o = BenchOptions.Parse(args);
        var target = FabricTarget.Lab(o.Lab ?? throw new ArgumentException("--lab DIR is required"), o.Channel, o.Chaincode);
        var directory = Directory.CreateTempSubdirectory("ledger-labcheck-").FullName;
        var options = target.NewOptions();
        using var ledger = FabricLedger.Create(options);
        await using var site = new BenchSite("check01", directory, options, new OutboxDispatcherOptions { MaxRetryAttempts = 1 });
        var first = site.Round(0, 12, 1);
        var second = site.Round(1, 12, 1);
        // An earlier run left settlement 5 of the first round on the chain with other content.
        var bad = first[5];
        var earlier = bad with { EnergyKwh = bad.EnergyKwh + 1, Amount = decimal.Round((bad.EnergyKwh + 1) * bad.PricePerKwh, 4, MidpointRounding.AwayFromZero) };
        await ledger.CommitAsync(earlier);
        Console.WriteLine($"on the chain beforehand: {earlier.SettlementId} with {earlier.EnergyKwh} kWh");
        await site.EnqueueAsync(first);
        await site.EnqueueAsync(second);
        var journal = new SqliteConnectionStringBuilder { DataSource = Path.Combine(directory, "check01-journal.db"), Pooling = false }.ToString();
        IReadOnlyList<OutboxEntry> entries;
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            await using var connection = new SqliteConnection(journal);
            await connection.OpenAsync();
            entries = await SettlementOutbox.ReadEntriesAsync(connection);
            if (entries.All(e => e.State != OutboxEntryState.Pending) || waited.Elapsed > TimeSpan.FromMinutes(2)) break;
            await Task.Delay(200);
        }
        foreach (var dead in entries.Where(e => e.State == OutboxEntryState.DeadLettered))
            Console.WriteLine($"dead-lettered at once ({dead.FailedAttempts} failed attempts): {dead.Settlement.SettlementId}\n  reason: {dead.LastError}");
        var committed = entries.Count(e => e.State == OutboxEntryState.Committed);
        Console.WriteLine($"committed: {committed} of {entries.Count} (the other 11 of round 1 and all 12 of round 2)");
        var again = await ledger.CommitBatchAsync(second);
        Console.WriteLine($"round 2 resent: {again.Count(r => r.Outcome == LedgerCommitOutcome.AlreadyCommitted)} of {second.Count} already committed");
        var ok = committed == 23 && entries.Single(e => e.State == OutboxEntryState.DeadLettered).Settlement.SettlementId == bad.SettlementId
            && entries.Single(e => e.State == OutboxEntryState.DeadLettered).LastError!.Contains("SETTLEMENT_CONFLICT", StringComparison.Ordinal)
            && again.All(r => r.Outcome == LedgerCommitOutcome.AlreadyCommitted);
        Console.WriteLine(ok ? "labcheck: as it should be" : "labcheck: NOT as it should be");
        return ok ? 0 : 1;
    }
}
