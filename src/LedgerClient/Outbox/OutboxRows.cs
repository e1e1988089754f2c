using Microsoft.Data.Sqlite;

namespace Gateway.LedgerClient.Outbox;

/// <summary>
/// State changes shared by the outbox tables (settlements, round records): they have the same state columns, so
/// committing, dead-lettering, noting a failure and re-queueing are written once. Each call is one transaction.
/// </summary>
internal static class OutboxRows
{
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
