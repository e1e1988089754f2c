using Gateway.LedgerClient.Crasher;
using Gateway.LedgerClient.Fabric;
using Gateway.LedgerClient.Outbox;
using Gateway.LedgerClient.Tests.Embedded;
using Gateway.LedgerClient.Tests.Fabric;
using Gateway.Testing.Fabric;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace Gateway.LedgerClient.Tests.Outbox;

/// <summary>
/// kill -9 mid-batch against Fabric (the test peer, a real gRPC service): the helper process drains rounds into the peer
/// with four batches in flight and is SIGKILLed right after a batch was submitted (its outcome unknown), right after a
/// commit status arrived (committed, not marked), and at counted points of its work; a final run finishes. Then every
/// settlement is on the chain exactly once with the content the journal holds, and nothing is pending.
/// </summary>
public sealed class FabricCrashRecoveryTests(PkiFixture fixture, ITestOutputHelper output) : IClassFixture<PkiFixture>, IDisposable
{
    private const int Rounds = 24;
    private const int PerRound = 9;
    private readonly TestPki _pki = fixture.Pki;
    private readonly TempDirectory _dir = new();
    private readonly string _epoch = LedgerIds.NewEpoch();

    public void Dispose() => _dir.Dispose();

    private string[] Arguments(TestPeer peer, params string[] extra) =>
        ["dispatch", "--journal", _dir.File("journal.db"), "--fabric", peer.Endpoint.ToString(), "--msp", _pki.MspId,
         "--cert", _pki.Client.CertificatePath, "--key", _pki.Client.PrivateKeyPath, "--channel", "settlement-channel", "--chaincode", "settlement",
         "--epoch", _epoch, "--rounds", $"{Rounds}", "--per-round", $"{PerRound}", .. extra];

    [Fact]
    public async Task Killed_mid_batch_again_and_again_every_settlement_is_committed_exactly_once()
    {
        // A batch timeout long enough that submitted batches are still waiting for their block when the kill lands.
        await using var peer = await TestPeer.StartAsync(_pki, new TestPeerSettings { BatchTimeout = TimeSpan.FromMilliseconds(300), MaxTransactionsPerBlock = 10 });
        var seed = TestSeeds.Fresh();
        output.WriteLine($"seed {seed}");
        var random = new Random(seed);

        foreach (var (step, after) in new[] { ("after-submit", 3), ("after-ledger-commit", 2), ("after-submit", 1) })
        {
            using var process = CrasherProcess.Start(_dir.Path, Arguments(peer, "--crash", step, "--crash-after", $"{after}"));
            var (exit, text) = await process.WaitAsync();
            output.WriteLine($"{step} {after}: exit {exit} {text.Trim()}");
            Assert.Equal(CrasherProcess.KilledExitCode, exit);
        }
        for (var run = 0; run < 3; run++)
        {
            using var process = CrasherProcess.Start(_dir.Path, Arguments(peer));
            await process.WaitUntilReadyAsync();
            if (await process.WaitForTicksAsync(random.Next(1, 4))) await Task.Delay(random.Next(0, 300));
            process.Kill();
            var (exit, text) = await process.WaitAsync();
            output.WriteLine($"random kill {run}: exit {exit} {text.Trim()}");
        }
        using (var final = CrasherProcess.Start(_dir.Path, Arguments(peer)))
        {
            var (exit, text) = await final.WaitAsync();
            output.WriteLine($"final: exit {exit} {text.Trim()}");
            Assert.Equal(0, exit);
        }

        using var ledger = FabricTestSupport.Ledger(_pki, peer);
        for (var round = 0; round < Rounds; round++)
        {
            var expected = Workload.GatewayRound(round, PerRound, _epoch);
            var onChain = await ledger.QueryRoundAsync(expected[0].RoundId);
            Assert.Equal(expected.Select(s => s.SettlementId).Order(), onChain.Select(s => s.SettlementId).Order());
            Assert.Equal(expected.OrderBy(s => s.SettlementId), onChain.OrderBy(s => s.SettlementId));
        }
        await using var journal = new SqliteConnection($"Data Source={_dir.File("journal.db")};Pooling=False");
        await journal.OpenAsync();
        var entries = await SettlementOutbox.ReadEntriesAsync(journal);
        Assert.Equal(Rounds * PerRound, entries.Count);
        Assert.All(entries, e => Assert.Equal(OutboxEntryState.Committed, e.State));
        // The batches whose answers died with a process were sent again and recognised, never committed twice.
        Assert.Contains(entries, e => e.Outcome == LedgerCommitOutcome.AlreadyCommitted);
        Assert.All(peer.EventsOf("settlement-channel"), e => Assert.Equal(FabricLedger.CommittedEventName, e.Name));
    }
}
