using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Gateway.LedgerClient;
using Gateway.LedgerClient.Embedded;

namespace Gateway.Bench;

/// <summary>
/// Settlements committed per second through the embedded ledger (WAL, synchronous=FULL, one
/// fsync per block), one settlement per block versus batched blocks. Each invocation commits
/// <see cref="SettlementsPerInvoke"/> fresh settlements, so the reported time is per settlement.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Throughput, launchCount: 1, warmupCount: 2, iterationCount: 5, id: "Short")]
public class EmbeddedLedgerBenchmarks
{
    private const int SettlementsPerInvoke = 200;
    private string _directory = "";
    private EmbeddedLedger _ledger = null!;
    private long _next;

    /// <summary>Settlements per block: 1 uses <see cref="EmbeddedLedger.CommitAsync"/>, more use <see cref="EmbeddedLedger.CommitBatchAsync"/>.</summary>
    [Params(1, 10, 100)]
    public int SettlementsPerBlock { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _directory = Path.Combine(Path.GetTempPath(), "ledger-bench-" + Guid.NewGuid().ToString("N"));
        _ledger = await EmbeddedLedger.OpenAsync(Path.Combine(_directory, "ledger.db"), TimeProvider.System);
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _ledger.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(OperationsPerInvoke = SettlementsPerInvoke, Description = "commit settlements")]
    public async Task CommitAsync()
    {
        for (var done = 0; done < SettlementsPerInvoke; done += SettlementsPerBlock)
        {
            if (SettlementsPerBlock == 1)
            {
                await _ledger.CommitAsync(EmbeddedBenchSettlements.Next(ref _next));
            }
            else
            {
                var block = new SettlementRecord[SettlementsPerBlock];
                for (var i = 0; i < block.Length; i++) block[i] = EmbeddedBenchSettlements.Next(ref _next);
                await _ledger.CommitBatchAsync(block);
            }
        }
    }
}
