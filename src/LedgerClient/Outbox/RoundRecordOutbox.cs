using Gateway.LedgerClient.Embedded;
using Microsoft.Data.Sqlite;

namespace Gateway.LedgerClient.Outbox;

/// <summary>One row of the round-record outbox (a side chain's record waiting for, or delivered to, its ledger).</summary>
/// <param name="Sequence">Queue order.</param>
/// <param name="Record">The record.</param>
/// <param name="State">Pending, committed or dead-lettered.</param>
/// <param name="EnqueuedAtUtc">When it was queued (wall time).</param>
/// <param name="FailedAttempts">Dispatch attempts that ended without an answer.</param>
/// <param name="LastError">The last transient error, or the dead-letter reason.</param>
/// <param name="BlockNumber">Where the ledger put it, once committed.</param>
/// <param name="TransactionId">The ledger's transaction id, once committed.</param>
public sealed record RoundRecordEntry(long Sequence, RoundRecord Record, OutboxEntryState State, DateTimeOffset EnqueuedAtUtc, int FailedAttempts,
    string? LastError, long? BlockNumber, string? TransactionId);

/// <summary>
/// The outbox of the side chains (matching decisions, electricity deliveries): a table beside the settlement outbox
/// in the caller's journal, written in the same transaction that records the round, drained by the same dispatcher.
/// </summary>
public sealed class RoundRecordOutbox
{
    /// <summary>The table's name in the caller's database.</summary>
    public const string TableName = "ledger_record_outbox";

    private const string CreateSql = $"""
        CREATE TABLE IF NOT EXISTS {TableName} (
            seq               INTEGER PRIMARY KEY AUTOINCREMENT,
            stream            TEXT NOT NULL CHECK (stream IN ('matching', 'electricity')),
            {RoundRecordRow.Definitions},
            {OutboxRows.DeliveryDefinitions},
            UNIQUE (stream, record_key));
        CREATE INDEX IF NOT EXISTS {TableName}_by_state ON {TableName}(stream, state, seq);
        """;

    private const string Columns = "seq, stream, record_key, site_id, epoch, round_id, payload, state, enqueued_at_utc, failed_attempts, last_error, block_number, transaction_id";

    private readonly TimeProvider _timeProvider;

    /// <summary>Creates the outbox over the given clock (wall time: enqueue time, backlog age).</summary>
    public RoundRecordOutbox(TimeProvider timeProvider) => _timeProvider = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));

    /// <summary>Creates the table when missing.</summary>
    public static Task EnsureSchemaAsync(SqliteConnection connection, CancellationToken cancellationToken = default) =>
        OutboxRows.ExecuteAsync(connection, CreateSql, cancellationToken);

    /// <summary>
    /// Queues records inside the caller's transaction. Idempotent on (stream, key); a key already queued with other
    /// content throws <see cref="LedgerRecordRejectedException"/> (the caller's transaction then records nothing).
    /// </summary>
    /// <returns>How many records were newly queued.</returns>
    public async Task<int> EnqueueAsync(SqliteTransaction transaction, IEnumerable<RoundRecord> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentNullException.ThrowIfNull(records);
        var connection = transaction.Connection ?? throw new ArgumentException("the transaction has completed", nameof(transaction));
        var now = SettlementCanonicalForm.FormatInstant(_timeProvider.GetUtcNow());
        var added = 0;
        foreach (var record in records)
        {
            ArgumentNullException.ThrowIfNull(record, nameof(records));
            string hash;
            try
            {
                hash = record.ContentHash();
            }
            catch (ArgumentException e)
            {
                throw new LedgerRecordRejectedException(record.Key, e.Message);
            }
            await using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = $"""
                INSERT INTO {TableName}(stream, record_key, site_id, epoch, round_id, payload, content_hash, enqueued_at_utc)
                VALUES ($stream, $key, $site, $epoch, $round, $payload, $hash, $now)
                ON CONFLICT(stream, record_key) DO NOTHING
                """;
            RoundRecordRow.Bind(insert, record);
            insert.Parameters.AddWithValue("$hash", hash);
            insert.Parameters.AddWithValue("$now", now);
            if (await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1)
            {
                added++;
                continue;
            }
            await using var existing = connection.CreateCommand();
            existing.Transaction = transaction;
            existing.CommandText = $"SELECT content_hash FROM {TableName} WHERE stream = $stream AND record_key = $key";
            existing.Parameters.AddWithValue("$stream", record.Stream.Name());
            existing.Parameters.AddWithValue("$key", record.Key);
            if ((string?)await existing.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) != hash)
                throw new LedgerRecordRejectedException(record.Key, $"{record.Stream.Name()} record '{record.Key}' is already queued with different content");
        }
        return added;
    }

    /// <summary>Rows of one stream (or all) in queue order, optionally only those in one state.</summary>
    public static async Task<IReadOnlyList<RoundRecordEntry>> ReadEntriesAsync(SqliteConnection connection, LedgerStream? stream = null, OutboxEntryState? state = null,
        int limit = int.MaxValue, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        if (!await EmbeddedStreamChain.TableExistsAsync(connection, TableName, cancellationToken).ConfigureAwait(false)) return [];
        var where = new List<string>();
        await using var command = connection.CreateCommand();
        if (stream is { } st)
        {
            where.Add("stream = $stream");
            command.Parameters.AddWithValue("$stream", st.Name());
        }
        if (state is { } s)
        {
            where.Add("state = $state");
            command.Parameters.AddWithValue("$state", OutboxRows.StateText(s));
        }
        command.CommandText = $"SELECT {Columns} FROM {TableName} {(where.Count == 0 ? "" : "WHERE " + string.Join(" AND ", where))} ORDER BY seq LIMIT $limit";
        command.Parameters.AddWithValue("$limit", limit);
        var entries = new List<RoundRecordEntry>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!LedgerStreams.TryParse(reader.GetString(1), out var recordStream))
                throw new InvalidDataException($"record outbox row {reader.GetInt64(0)} has unknown stream '{reader.GetString(1)}'");
            entries.Add(new RoundRecordEntry(
                reader.GetInt64(0),
                new RoundRecord(recordStream, reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetString(5), reader.GetString(6)),
                OutboxRows.ParseState(reader.GetString(7), "record outbox", reader.GetInt64(0)),
                SettlementCanonicalForm.ParseInstant(reader.GetString(8)),
                reader.GetInt32(9),
                reader.IsDBNull(10) ? null : reader.GetString(10),
                reader.IsDBNull(11) ? null : reader.GetInt64(11),
                reader.IsDBNull(12) ? null : reader.GetString(12)));
        }
        return entries;
    }

    /// <summary>Counts per state of one stream's records, and the age of the oldest pending one.</summary>
    public async Task<OutboxBacklog> ReadBacklogAsync(SqliteConnection connection, LedgerStream stream, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (!await EmbeddedStreamChain.TableExistsAsync(connection, TableName, cancellationToken).ConfigureAwait(false)) return new OutboxBacklog(0, null, 0, 0, null, null);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT
                (SELECT COUNT(*) FROM {TableName} WHERE stream = $stream AND state = 'pending'),
                (SELECT MIN(enqueued_at_utc) FROM {TableName} WHERE stream = $stream AND state = 'pending'),
                (SELECT COUNT(*) FROM {TableName} WHERE stream = $stream AND state = 'dead'),
                (SELECT COUNT(*) FROM {TableName} WHERE stream = $stream AND state = 'committed');
            SELECT last_error, last_error_at_utc FROM {TableName}
                WHERE stream = $stream AND state = 'pending' AND last_error IS NOT NULL ORDER BY last_error_at_utc DESC LIMIT 1;
            """;
        command.Parameters.AddWithValue("$stream", stream.Name());
        return await OutboxRows.ReadBacklogAsync(command, _timeProvider.GetUtcNow(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Moves dead-lettered records back to pending (all, or the one with <paramref name="key"/>); returns how many.</summary>
    public async Task<int> RequeueDeadAsync(SqliteConnection connection, string? key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (!await EmbeddedStreamChain.TableExistsAsync(connection, TableName, cancellationToken).ConfigureAwait(false)) return 0;
        return await OutboxRows.RequeueDeadAsync(connection, TableName, "record_key", key, SettlementCanonicalForm.FormatInstant(_timeProvider.GetUtcNow()), cancellationToken).ConfigureAwait(false);
    }
}
