using Gateway.LedgerClient.Embedded;
using Microsoft.Data.Sqlite;

namespace Gateway.LedgerClient.Outbox;

/// <summary>
/// State changes shared by the outbox tables (settlements, round records): they have the same state columns, so
/// committing, dead-lettering, noting a failure and re-queueing are written once. Each call is one transaction.
/// </summary>
internal static class OutboxRows
{
    /// <summary>The delivery columns every outbox table declares (after its record's columns).</summary>
    public const string DeliveryDefinitions = """
        state              TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'committed', 'dead')),
        enqueued_at_utc    TEXT NOT NULL,
        failed_attempts    INTEGER NOT NULL DEFAULT 0,
        last_error         TEXT,
        last_error_at_utc  TEXT,
        committed_at_utc   TEXT,
        block_number       INTEGER,
        transaction_id     TEXT,
        outcome            TEXT
        """;

    /// <summary>Runs a schema script (CREATE … IF NOT EXISTS) on the caller's database.</summary>
    public static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The text a state is stored as.</summary>
    public static string StateText(OutboxEntryState state) => state switch
    {
        OutboxEntryState.Pending => "pending",
        OutboxEntryState.Committed => "committed",
        OutboxEntryState.DeadLettered => "dead",
        _ => throw new ArgumentOutOfRangeException(nameof(state)),
    };

    /// <summary>Reads a stored state; an unknown one names the table's row (the file was edited).</summary>
    public static OutboxEntryState ParseState(string text, string table, long sequence) => text switch
    {
        "pending" => OutboxEntryState.Pending,
        "committed" => OutboxEntryState.Committed,
        "dead" => OutboxEntryState.DeadLettered,
        _ => throw new InvalidDataException($"{table} row {sequence} has unknown state '{text}'"),
    };

    /// <summary>
    /// Runs a backlog query (first result: pending count, oldest pending enqueue time, dead count, committed count or
    /// NULL; second: the last error and its time) and reads it, the oldest pending age against <paramref name="now"/>.
    /// </summary>
    public static async Task<OutboxBacklog> ReadBacklogAsync(SqliteCommand command, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        var pending = reader.GetInt64(0);
        TimeSpan? oldestAge = reader.IsDBNull(1) ? null : now - SettlementCanonicalForm.ParseInstant(reader.GetString(1));
        if (oldestAge < TimeSpan.Zero) oldestAge = TimeSpan.Zero;
        var dead = reader.GetInt64(2);
        long? committed = reader.IsDBNull(3) ? null : reader.GetInt64(3);
        string? lastError = null;
        DateTimeOffset? lastErrorAt = null;
        if (await reader.NextResultAsync(cancellationToken).ConfigureAwait(false) && await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            lastError = reader.GetString(0);
            lastErrorAt = reader.IsDBNull(1) ? null : SettlementCanonicalForm.ParseInstant(reader.GetString(1));
        }
        return new OutboxBacklog(pending, oldestAge, dead, committed, lastError, lastErrorAt);
    }

    public static async Task MarkCommittedAsync(SqliteConnection journal, string table, IReadOnlyList<long> sequences, IReadOnlyList<LedgerCommitResult> results,
        string now, CancellationToken cancellationToken)
    {
        await using var transaction = (SqliteTransaction)await journal.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = journal.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"""
            UPDATE {table}
            SET state = 'committed', committed_at_utc = $now, block_number = $block, transaction_id = $tx, outcome = $outcome
            WHERE seq = $seq AND state = 'pending'
            """;
        var seq = command.Parameters.Add("$seq", SqliteType.Integer);
        var block = command.Parameters.Add("$block", SqliteType.Integer);
        var tx = command.Parameters.Add("$tx", SqliteType.Text);
        var outcome = command.Parameters.Add("$outcome", SqliteType.Text);
        command.Parameters.AddWithValue("$now", now);
        for (var i = 0; i < sequences.Count; i++)
        {
            seq.Value = sequences[i];
            block.Value = results[i].BlockNumber;
            tx.Value = results[i].TransactionId;
            outcome.Value = results[i].Outcome.ToString();
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public static Task MarkDeadAsync(SqliteConnection journal, string table, IReadOnlyList<long> sequences, string reason, string now, CancellationToken cancellationToken) =>
        UpdateAsync(journal, table, sequences, "state = 'dead', last_error = $text, last_error_at_utc = $now", reason, now, cancellationToken);

    public static Task RecordFailureAsync(SqliteConnection journal, string table, IReadOnlyList<long> sequences, string error, string now, CancellationToken cancellationToken) =>
        UpdateAsync(journal, table, sequences, "failed_attempts = failed_attempts + 1, last_error = $text, last_error_at_utc = $now", error, now, cancellationToken);

    /// <summary>Moves dead letters back to pending (all of them, or the one with <paramref name="keyValue"/> in <paramref name="keyColumn"/>); returns how many.</summary>
    public static async Task<int> RequeueDeadAsync(SqliteConnection journal, string table, string keyColumn, string? keyValue, string now, CancellationToken cancellationToken)
    {
        await using var command = journal.CreateCommand();
        command.CommandText = $"""
            UPDATE {table}
            SET state = 'pending', failed_attempts = 0, last_error = 're-queued by an operator at ' || $now || '; was dead: ' || COALESCE(last_error, ''), last_error_at_utc = $now
            WHERE state = 'dead' {(keyValue is null ? "" : $"AND {keyColumn} = $key")}
            """;
        command.Parameters.AddWithValue("$now", now);
        if (keyValue is not null) command.Parameters.AddWithValue("$key", keyValue);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task UpdateAsync(SqliteConnection journal, string table, IReadOnlyList<long> sequences, string set, string text, string now, CancellationToken cancellationToken)
    {
        await using var transaction = (SqliteTransaction)await journal.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = journal.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"UPDATE {table} SET {set} WHERE seq = $seq AND state = 'pending'";
        var seq = command.Parameters.Add("$seq", SqliteType.Integer);
        command.Parameters.AddWithValue("$text", text);
        command.Parameters.AddWithValue("$now", now);
        foreach (var s in sequences)
        {
            seq.Value = s;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Adds a column to a table created by an earlier version, when it is missing.</summary>
    public static async Task AddColumnIfMissingAsync(SqliteConnection connection, string table, string column, string definition, CancellationToken cancellationToken)
    {
        await using (var info = connection.CreateCommand())
        {
            info.CommandText = $"SELECT COUNT(*) FROM pragma_table_info('{table}') WHERE name = $column";
            info.Parameters.AddWithValue("$column", column);
            if ((long)(await info.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))! > 0) return;
        }
        await using var alter = connection.CreateCommand();
        alter.CommandText = $"ALTER TABLE {table} ADD COLUMN {column} {definition}";
        await alter.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
