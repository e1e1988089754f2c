using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Gateway.LedgerClient;
using Gateway.LedgerClient.Fabric;
using Gateway.Testing.Fabric;

namespace Gateway.Bench;

/// <summary>
/// Settlements committed through <see cref="FabricLedger"/> (Endorse → sign → Submit → CommitStatus over HTTP/2)
/// against the protocol-level test peer, which cuts a block every <see cref="BatchTimeoutMs"/> ms like an orderer.
/// One operation = one settlement committed and its commit status received; <see cref="InFlight"/> commits run at once.
/// </summary>
[Config(typeof(FabricBenchConfig))]
public class FabricCommitBenchmarks
{
    private const int SettlementsPerInvoke = 128;

    private TestPki _pki = null!;
    private TestPeer _peer = null!;
    private FabricLedger _ledger = null!;
    private SettlementRecord[] _batch = [];
    private int _iteration;

    /// <summary>Commits in flight at once (1 = wait for each commit before the next).</summary>
    [Params(1, 8, 64)]
    public int InFlight { get; set; }

    /// <summary>The test orderer's batch timeout.</summary>
    [Params(20)]
    public int BatchTimeoutMs { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _pki = new TestPki();
        _peer = await TestPeer.StartAsync(_pki, new TestPeerSettings { BatchTimeout = TimeSpan.FromMilliseconds(BatchTimeoutMs), MaxTransactionsPerBlock = 500 });
        _ledger = FabricLedger.Create(new FabricLedgerOptions
        {
            PeerEndpoint = _peer.Endpoint.ToString(),
            Channel = "settlement-channel",
            Chaincode = "settlement",
            MspId = _pki.MspId,
            CertificatePath = _pki.Client.CertificatePath,
            PrivateKeyPath = _pki.Client.PrivateKeyPath,
        });
    }

    [IterationSetup]
    public void NewSettlements()
    {
        var round = $"bench-{InFlight}-{++_iteration}";
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(15 * _iteration);
        _batch = Enumerable.Range(0, SettlementsPerInvoke)
            .Select(i => new SettlementRecord($"{round}-{i}", round, $"ev{i}", "pv1", 1.25m, 0.2123m, Math.Round(1.25m * 0.2123m, 4), start, start.AddMinutes(15)))
            .ToArray();
    }

    [Benchmark(OperationsPerInvoke = SettlementsPerInvoke, Description = "commit settlement")]
    public Task CommitAsync() =>
        Parallel.ForEachAsync(_batch, new ParallelOptions { MaxDegreeOfParallelism = InFlight }, async (settlement, ct) =>
        {
            var result = await _ledger.CommitAsync(settlement, ct);
            if (result.Outcome != LedgerCommitOutcome.Committed)
            {
                throw new InvalidOperationException($"settlement {settlement.SettlementId} was {result.Outcome}");
            }
        });

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _ledger.Dispose();
        await _peer.DisposeAsync();
        _pki.Dispose();
    }

    private sealed class FabricBenchConfig : ManualConfig
    {
        public FabricBenchConfig()
        {
            // In-process and few iterations: the machine is shared, and the peer runs in the same process anyway.
            AddJob(Job.Default
                .WithToolchain(InProcessEmitToolchain.Instance)
                .WithLaunchCount(1)
                .WithWarmupCount(1)
                .WithIterationCount(3)
                .WithInvocationCount(1)
                .WithUnrollFactor(1));
        }
    }
}
