using System.Globalization;
using Gateway.LedgerClient;
using Gateway.LedgerClient.Embedded;
using Gateway.LedgerClient.Fabric;
using Gateway.LedgerClient.Outbox;
using Microsoft.Data.Sqlite;

namespace Gateway.Bench.MultiSite;

/// <summary>
/// One gateway of the multi-site bench: its own journal with the settlement outbox, its own epoch (so its ids never
/// collide with another site's or an earlier run's), its own connection to the peer and its own outbox dispatcher —
/// the same code path as a running gateway, minus the devices.
/// </summary>
internal sealed class BenchSite : IAsyncDisposable
{
    private static readonly DateTimeOffset Day = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly string _journal;
    private readonly SettlementOutbox _outbox = new(TimeProvider.System);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _dispatching;
    private readonly FabricLedger _ledger;
    private readonly FabricConnection _connection;

    public BenchSite(string siteId, string directory, FabricLedgerOptions options, OutboxDispatcherOptions dispatcherOptions)
    {
        SiteId = siteId;
        Epoch = LedgerIds.NewEpoch();
        _journal = new SqliteConnectionStringBuilder { DataSource = Path.Combine(directory, $"{siteId}-journal.db"), Pooling = false }.ToString();
        using (var connection = new SqliteConnection(_journal))
        {
            connection.Open();
            using var pragma = connection.CreateCommand();
            pragma.CommandText = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;";
            pragma.ExecuteNonQuery();
            SettlementOutbox.EnsureSchemaAsync(connection).GetAwaiter().GetResult();
        }
        _connection = FabricConnection.Open(options);
        // Connected before the first round, as a running gateway is (it connects at start).
        _connection.TryConnectAsync().GetAwaiter().GetResult();
        _ledger = FabricLedger.Create(_connection, options.Channel, options.Chaincode);
        Dispatcher = new OutboxDispatcher(_journal, _ledger, dispatcherOptions, TimeProvider.System);
        _dispatching = Dispatcher.RunAsync(_stop.Token);
    }

    public string SiteId { get; }

    public string Epoch { get; }

    public OutboxDispatcher Dispatcher { get; }

    /// <summary>The settlements of round <paramref name="round"/>: <paramref name="count"/> balanced trades.</summary>
    public IReadOnlyList<SettlementRecord> Round(int round, int count, int seed)
    {
        var random = new Random(HashCode.Combine(seed, SiteId, round));
        var roundId = $"{SiteId}-{Day.AddMinutes(15 * round):yyyyMMdd'T'HHmm}";
        var start = Day.AddMinutes(15 * round);
        return Enumerable.Range(0, count).Select(i =>
        {
            var energy = decimal.Round((decimal)(0.1 + random.NextDouble() * 4), 4);
            var price = decimal.Round((decimal)(0.3 + random.NextDouble() * 0.7), 4);
            var payer = $"ev-{i % 40}";
            var payee = i % 7 == 0 ? "smes-1" : $"pv-{i % 15}";
            return new SettlementRecord(LedgerIds.SettlementId(roundId, Epoch, i, payer, payee), roundId, payer, payee, energy, price,
                SettlementBalance.ExpectedAmount(energy, price), start, start.AddMinutes(15));
        }).ToList();
    }

    /// <summary>Records and queues a round's settlements as one batch (what closing a round does); returns when it was queued.</summary>
    public async Task EnqueueAsync(IReadOnlyList<SettlementRecord> settlements)
    {
        await using var connection = new SqliteConnection(_journal);
        await connection.OpenAsync();
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
        await _outbox.EnqueueAsync(transaction, settlements, LedgerIds.BatchKey(settlements[0].RoundId, Epoch));
        await transaction.CommitAsync();
        Dispatcher.Notify();
    }

    /// <summary>Per round: when it was queued and when its last settlement was marked committed (wall time), once all are.</summary>
    public async Task<IReadOnlyList<(DateTimeOffset Closed, DateTimeOffset Committed, int Count)>?> CompletedRoundsAsync()
    {
        await using var connection = new SqliteConnection(_journal);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT MIN(enqueued_at_utc), MAX(committed_at_utc), COUNT(*), SUM(state = 'committed'), SUM(state = 'dead')
            FROM {SettlementOutbox.TableName} GROUP BY batch ORDER BY MIN(seq)
            """;
        var rounds = new List<(DateTimeOffset, DateTimeOffset, int)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            if (reader.GetInt64(4) > 0) throw new InvalidOperationException($"site {SiteId}: settlements were dead-lettered; see its journal");
            if (reader.GetInt64(3) != reader.GetInt64(2)) return null;
            rounds.Add((Parse(reader.GetString(0)), Parse(reader.GetString(1)), reader.GetInt32(2)));
        }
        return rounds;
    }

    private static DateTimeOffset Parse(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try { await _dispatching; } catch (OperationCanceledException) { }
        _ledger.Dispose();
        _connection.Dispose();
        _stop.Dispose();
    }
}
