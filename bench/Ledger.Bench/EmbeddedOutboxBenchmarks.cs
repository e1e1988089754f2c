using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Gateway.LedgerClient;
using Gateway.LedgerClient.Embedded;
using Gateway.LedgerClient.Outbox;
using Microsoft.Data.Sqlite;

namespace Gateway.Bench;

/// <summary>
/// End to end through the outbox: record rounds of 20 settlements in a journal transaction
/// (enqueue), then let the dispatcher drain them into the embedded ledger and mark them
/// committed. Reported time is per settlement.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Throughput, launchCount: 1, warmupCount: 2, iterationCount: 5, id: "Short")]
public class EmbeddedOutboxBenchmarks
{
    private const int SettlementsPerInvoke = 200;
    private const int SettlementsPerRound = 20;
    private string _directory = "";
    private string _journal = "";
    private EmbeddedLedger _ledger = null!;
    private OutboxDispatcher _dispatcher = null!;
    private SettlementOutbox _outbox = null!;
    private long _next;

    /// <summary>Rows per dispatcher tick; 1 commits one settlement per ledger call and block, 100 one block per tick.</summary>
    [Params(1, 100)]
    public int DispatchBatchSize { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _directory = Path.Combine(Path.GetTempPath(), "outbox-bench-" + Guid.NewGuid().ToString("N"));
        _ledger = await EmbeddedLedger.OpenAsync(Path.Combine(_directory, "ledger.db"), TimeProvider.System);
        _journal = new SqliteConnectionStringBuilder { DataSource = Path.Combine(_directory, "journal.db") }.ToString();
        await using (var connection = await OpenJournalAsync())
            await SettlementOutbox.EnsureSchemaAsync(connection);
        _outbox = new SettlementOutbox(TimeProvider.System);
        _dispatcher = new OutboxDispatcher(_journal, _ledger, new OutboxDispatcherOptions
        {
            BatchSize = DispatchBatchSize,
            UseBatchCommits = DispatchBatchSize > 1,
        }, TimeProvider.System);
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _ledger.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(OperationsPerInvoke = SettlementsPerInvoke, Description = "enqueue + dispatch + mark")]
    public async Task EnqueueAndDrainAsync()
    {
        await using (var connection = await OpenJournalAsync())
        {
            for (var round = 0; round < SettlementsPerInvoke / SettlementsPerRound; round++)
            {
                await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
                var settlements = new SettlementRecord[SettlementsPerRound];
                for (var i = 0; i < settlements.Length; i++) settlements[i] = EmbeddedBenchSettlements.Next(ref _next);
                await _outbox.EnqueueAsync(transaction, settlements);
                await transaction.CommitAsync();
            }
        }
        var drained = 0;
        while (drained < SettlementsPerInvoke)
        {
            var tick = await _dispatcher.TickAsync();
            if (tick.LedgerError is not null) throw new InvalidOperationException(tick.LedgerError);
            drained += tick.Processed;
        }
    }

    private async Task<SqliteConnection> OpenJournalAsync()
    {
        var connection = new SqliteConnection(_journal);
        await connection.OpenAsync();
        await using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;";
        await pragma.ExecuteNonQueryAsync();
        return connection;
    }
}
