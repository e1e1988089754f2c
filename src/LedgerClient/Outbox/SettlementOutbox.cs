using System.Security.Cryptography;
using Gateway.LedgerClient.Embedded;
using Microsoft.Data.Sqlite;

namespace Gateway.LedgerClient.Outbox;

/// <summary>
/// The durable outbox: a table in a SQLite database the caller owns (the gateway's journal),
/// so a round's settlements are recorded and queued for the ledger in one transaction —
/// either both happen or neither. <see cref="OutboxDispatcher"/> drains it in the background.
/// </summary>
/// <remarks>
/// Rows are never deleted by the outbox: committed rows keep the block number and
/// transaction id as a receipt, dead-lettered rows keep the reason.
/// </remarks>
public sealed class SettlementOutbox
{
    /// <summary>The outbox table's name in the caller's database.</summary>
    public const string TableName = "settlement_outbox";

    private const string CreateSql = $"""
        CREATE TABLE IF NOT EXISTS {TableName} (
            seq                INTEGER PRIMARY KEY AUTOINCREMENT,
            settlement_id      TEXT NOT NULL UNIQUE,
            {SettlementRow.DefinitionsAfterId},
            content_hash       TEXT NOT NULL,
            {OutboxRows.DeliveryDefinitions},
            batch              TEXT);
        CREATE INDEX IF NOT EXISTS {TableName}_by_state ON {TableName}(state, seq);
        """;

    internal const string EntryColumns = $"seq, state, enqueued_at_utc, failed_attempts, last_error, block_number, transaction_id, outcome, {SettlementRow.Columns}, batch";

    private readonly TimeProvider _timeProvider;

    /// <summary>Creates the outbox over the given clock (enqueue time, backlog age).</summary>
    public SettlementOutbox(TimeProvider timeProvider) => _timeProvider = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));

    /// <summary>Creates the outbox table in the caller's database when it is missing.</summary>
    public static async Task EnsureSchemaAsync(SqliteConnection connection, CancellationToken cancellationToken = default)
    {
        await OutboxRows.ExecuteAsync(connection, CreateSql, cancellationToken).ConfigureAwait(false);
        // Journals written before settlements were batched per round lack the batch column.
        await OutboxRows.AddColumnIfMissingAsync(connection, TableName, "batch", "TEXT", cancellationToken).ConfigureAwait(false);
        await RoundRecordOutbox.EnsureSchemaAsync(connection, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Queues settlements for the ledger inside the caller's transaction (the one that records
    /// them). Idempotent on <see cref="SettlementRecord.SettlementId"/>: a settlement already in
    /// the outbox with the same content is skipped.
    /// </summary>
    /// <returns>How many settlements were newly queued.</returns>
    /// <exception cref="InvalidSettlementException">A settlement is malformed or unbalanced; nothing should be committed (roll back).</exception>
    /// <exception cref="SettlementRejectedException">A settlement id is already queued with different content.</exception>
    public Task<int> EnqueueAsync(SqliteTransaction transaction, IEnumerable<SettlementRecord> settlements, CancellationToken cancellationToken = default) =>
        EnqueueAsync(transaction, settlements, batchKey: null, cancellationToken);

    /// <summary>
    /// Queues settlements as one batch: the dispatcher commits the rows of a batch in one ledger transaction (a round's
    /// settlements, all or nothing) and batches in the order they were queued.
    /// </summary>
    /// <param name="transaction">The caller's transaction that records them.</param>
    /// <param name="settlements">The settlements.</param>
    /// <param name="batchKey">The batch (the round's <see cref="LedgerIds.BatchKey"/>); null: no batch of its own, consecutive rows are grouped up to the dispatcher's batch size.</param>
    /// <param name="cancellationToken">Cancels the insert (the caller's transaction then records nothing).</param>
    /// <returns>How many settlements were newly queued.</returns>
    public async Task<int> EnqueueAsync(SqliteTransaction transaction, IEnumerable<SettlementRecord> settlements, string? batchKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentNullException.ThrowIfNull(settlements);
        var connection = transaction.Connection ?? throw new ArgumentException("the transaction has completed", nameof(transaction));
        var now = SettlementCanonicalForm.FormatInstant(_timeProvider.GetUtcNow());
        var added = 0;

        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = $"""
            INSERT INTO {TableName}({SettlementRow.Columns}, content_hash, enqueued_at_utc, batch)
            VALUES ($settlement_id, $round_id, $payer_id, $payee_id, $energy_kwh, $price_per_kwh, $amount,
                    $interval_start_utc, $interval_end_utc, $content_hash, $now, $batch)
            ON CONFLICT(settlement_id) DO NOTHING
            """;
        await using var existing = connection.CreateCommand();
        existing.Transaction = transaction;
        existing.CommandText = $"SELECT content_hash, state FROM {TableName} WHERE settlement_id = $id";
        var id = existing.Parameters.Add("$id", SqliteType.Text);

        foreach (var settlement in settlements)
        {
            ArgumentNullException.ThrowIfNull(settlement, nameof(settlements));
            var contentHash = Convert.ToHexStringLower(SHA256.HashData(SettlementBalance.EnsureValid(settlement)));
            insert.Parameters.Clear();
            SettlementRow.Bind(insert, settlement);
            insert.Parameters.AddWithValue("$content_hash", contentHash);
            insert.Parameters.AddWithValue("$now", now);
            insert.Parameters.AddWithValue("$batch", (object?)batchKey ?? DBNull.Value);
            if (await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1)
            {
                added++;
                continue;
            }
            id.Value = settlement.SettlementId;
            await using var reader = await existing.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (reader.GetString(0) != contentHash)
            {
                throw new SettlementRejectedException(settlement.SettlementId,
                    $"settlement '{settlement.SettlementId}' is already in the outbox ({reader.GetString(1)}) with different content; a settlement id must always carry the same settlement");
            }
        }
        return added;
    }

    /// <summary>Counts what is waiting, how old the oldest is, and the last error.</summary>
    /// <param name="connection">An open connection to the caller's database.</param>
    /// <param name="countCommitted">Also count committed rows (a scan that grows with the table's history).</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    public async Task<OutboxBacklog> ReadBacklogAsync(SqliteConnection connection, bool countCommitted = true, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT
                (SELECT COUNT(*) FROM {TableName} WHERE state = 'pending'),
                (SELECT MIN(enqueued_at_utc) FROM {TableName} WHERE state = 'pending'),
                (SELECT COUNT(*) FROM {TableName} WHERE state = 'dead'),
                {(countCommitted ? $"(SELECT COUNT(*) FROM {TableName} WHERE state = 'committed')" : "NULL")};
            SELECT last_error, last_error_at_utc FROM {TableName}
                WHERE state = 'pending' AND last_error IS NOT NULL ORDER BY last_error_at_utc DESC LIMIT 1;
            """;
        return await OutboxRows.ReadBacklogAsync(command, _timeProvider.GetUtcNow(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Rows in enqueue order, optionally only those in one state.</summary>
    public static async Task<IReadOnlyList<OutboxEntry>> ReadEntriesAsync(
        SqliteConnection connection, OutboxEntryState? state = null, int limit = int.MaxValue, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        await using var command = connection.CreateCommand();
        // A journal from before batching (opened read-only by `ledger backlog`) has no batch column.
        var columns = await HasBatchColumnAsync(connection, cancellationToken).ConfigureAwait(false) ? EntryColumns : EntryColumns.Replace(", batch", ", NULL AS batch");
        command.CommandText = $"SELECT {columns} FROM {TableName} {(state is null ? "" : "WHERE state = $state")} ORDER BY seq LIMIT $limit";
        if (state is { } s) command.Parameters.AddWithValue("$state", OutboxRows.StateText(s));
        command.Parameters.AddWithValue("$limit", limit);
        var entries = new List<OutboxEntry>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) entries.Add(ReadEntry(reader));
        return entries;
    }

    private static async Task<bool> HasBatchColumnAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        await using var info = connection.CreateCommand();
        info.CommandText = $"SELECT COUNT(*) FROM pragma_table_info('{TableName}') WHERE name = 'batch'";
        return (long)(await info.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))! > 0;
    }

    internal static OutboxEntry ReadEntry(SqliteDataReader reader) => new(
        reader.GetInt64(0),
        SettlementRow.Read(reader, 8),
        OutboxRows.ParseState(reader.GetString(1), "outbox", reader.GetInt64(0)),
        SettlementCanonicalForm.ParseInstant(reader.GetString(2)),
        reader.GetInt32(3),
        reader.IsDBNull(4) ? null : reader.GetString(4),
        reader.IsDBNull(5) ? null : reader.GetInt64(5),
        reader.IsDBNull(6) ? null : reader.GetString(6),
        reader.IsDBNull(7) ? null : Enum.Parse<LedgerCommitOutcome>(reader.GetString(7)),
        reader.IsDBNull(17) ? null : reader.GetString(17));

    /// <summary>
    /// Moves dead-lettered settlements back to pending after an operator fixed the cause (all of them when
    /// <paramref name="settlementId"/> is null); the reason they died stays in their last error. Returns how many.
    /// </summary>
    public async Task<int> RequeueDeadAsync(SqliteConnection connection, string? settlementId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return await OutboxRows.RequeueDeadAsync(connection, TableName, "settlement_id", settlementId,
            SettlementCanonicalForm.FormatInstant(_timeProvider.GetUtcNow()), cancellationToken).ConfigureAwait(false);
    }
}
