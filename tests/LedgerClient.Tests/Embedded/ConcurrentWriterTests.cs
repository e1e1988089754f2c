using Gateway.LedgerClient.Embedded;

namespace Gateway.LedgerClient.Tests.Embedded;

public sealed class ConcurrentWriterTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Many_tasks_on_one_instance_commit_every_settlement_once_in_a_valid_chain()
    {
        const int tasks = 8, commitsPerTask = 25;
        await using var ledger = await EmbeddedLedger.OpenAsync(_dir.File("ledger.db"), TimeProvider.System);

        var results = await Task.WhenAll(Enumerable.Range(0, tasks).Select(async t =>
        {
            var outcomes = new List<LedgerCommitResult>();
            for (var i = 0; i < commitsPerTask; i++)
                outcomes.Add(await ledger.CommitAsync(TestSettlements.Make($"r-{t}", i)));
            return outcomes;
        }));

        Assert.All(results.SelectMany(r => r), r => Assert.Equal(LedgerCommitOutcome.Committed, r.Outcome));
        Assert.Equal(Enumerable.Range(1, tasks * commitsPerTask).Select(n => (long)n), results.SelectMany(r => r).Select(r => r.BlockNumber).Order());
        var verification = await EmbeddedLedgerVerifier.VerifyAsync(ledger.DatabasePath);
        Assert.True(verification.IsIntact, verification.FirstTamper?.Description);
        Assert.Equal(tasks * commitsPerTask, verification.SettlementCount);
    }

    [Fact]
    public async Task Separate_connections_racing_on_the_same_ids_commit_each_once()
    {
        // Four ledger instances (four SQLite connections, as four processes would have) all
        // try to commit the same 60 settlements, partly in batches, in different orders.
        var path = _dir.File("ledger.db");
        var settlements = TestSettlements.Round("r-shared", 60);
        var ledgers = new List<EmbeddedLedger>();
        for (var i = 0; i < 4; i++) ledgers.Add(await EmbeddedLedger.OpenAsync(path, TimeProvider.System));
        try
        {
            var all = await Task.WhenAll(ledgers.Select(async (ledger, w) =>
            {
                var order = w % 2 == 0 ? settlements : settlements.Reverse().ToArray();
                var outcomes = new List<(string Id, LedgerCommitResult Result)>();
                foreach (var chunk in order.Chunk(1 + w * 3))
                {
                    var results = chunk.Length == 1 ? [await ledger.CommitAsync(chunk[0])] : await ledger.CommitBatchAsync(chunk);
                    outcomes.AddRange(chunk.Zip(results, (s, r) => (s.SettlementId, r)));
                }
                return outcomes;
            }));

            var byId = all.SelectMany(o => o).GroupBy(o => o.Id).ToList();
            Assert.Equal(60, byId.Count);
            Assert.All(byId, g =>
            {
                Assert.Single(g, o => o.Result.Outcome == LedgerCommitOutcome.Committed);
                Assert.Single(g.Select(o => (o.Result.BlockNumber, o.Result.TransactionId)).Distinct());
            });
            var verification = await EmbeddedLedgerVerifier.VerifyAsync(path);
            Assert.True(verification.IsIntact, verification.FirstTamper?.Description);
            Assert.Equal(60, verification.SettlementCount);
            Assert.Equal(settlements.OrderBy(s => s.SettlementId), (await ledgers[0].QueryRoundAsync("r-shared")).OrderBy(s => s.SettlementId));
        }
        finally
        {
            foreach (var ledger in ledgers) await ledger.DisposeAsync();
        }
    }
}
