using Gateway.LedgerClient.Outbox;
using Microsoft.Data.Sqlite;

namespace Gateway.LedgerClient.Tests.Outbox;

/// <summary>A stand-in for the gateway's journal: a SQLite file with a table of rounds and the outbox.</summary>
internal sealed class TestJournal
{
    public TestJournal(string path, TimeProvider timeProvider)
    {
        ConnectionString = new SqliteConnectionStringBuilder { DataSource = path }.ToString();
        Outbox = new SettlementOutbox(timeProvider);
        Records = new RoundRecordOutbox(timeProvider);
    }

    public RoundRecordOutbox Records { get; }

    public async Task<IReadOnlyList<RoundRecordEntry>> RecordEntriesAsync()
    {
        await using var connection = await OpenAsync();
        return await RoundRecordOutbox.ReadEntriesAsync(connection);
    }

    public string ConnectionString { get; }

    public SettlementOutbox Outbox { get; }

    public async Task<SqliteConnection> OpenAsync()
    {
        var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 30000; CREATE TABLE IF NOT EXISTS rounds(round_id TEXT PRIMARY KEY, settlement_count INTEGER NOT NULL);";
        await command.ExecuteNonQueryAsync();
        await SettlementOutbox.EnsureSchemaAsync(connection);
        return connection;
    }

    /// <summary>Records a round and queues its settlements in one transaction, as the gateway does.</summary>
    public Task<int> RecordRoundAsync(string roundId, IReadOnlyList<SettlementRecord> settlements) => RecordRoundAsync(roundId, settlements, null, []);

    /// <summary>Records a round and queues its settlements as one batch, and side-chain records, in one transaction.</summary>
    public async Task<int> RecordRoundAsync(string roundId, IReadOnlyList<SettlementRecord> settlements, string? batchKey, IReadOnlyList<RoundRecord> records)
    {
        await using var connection = await OpenAsync();
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
        await using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = "INSERT OR REPLACE INTO rounds(round_id, settlement_count) VALUES ($id, $n)";
            command.Parameters.AddWithValue("$id", roundId);
            command.Parameters.AddWithValue("$n", settlements.Count);
            await command.ExecuteNonQueryAsync();
        }
        var added = await Outbox.EnqueueAsync(transaction, settlements, batchKey);
        if (records.Count > 0) await Records.EnqueueAsync(transaction, records);
        await transaction.CommitAsync();
        return added;
    }

    public async Task<OutboxBacklog> BacklogAsync()
    {
        await using var connection = await OpenAsync();
        return await Outbox.ReadBacklogAsync(connection);
    }

    public async Task<IReadOnlyList<OutboxEntry>> EntriesAsync(OutboxEntryState? state = null)
    {
        await using var connection = await OpenAsync();
        return await SettlementOutbox.ReadEntriesAsync(connection, state);
    }
}
