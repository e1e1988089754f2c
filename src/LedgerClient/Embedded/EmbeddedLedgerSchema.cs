using Microsoft.Data.Sqlite;

namespace Gateway.LedgerClient.Embedded;

/// <summary>
/// Tables of the embedded ledger file and how connections to it are opened.
/// Hashes are stored as lowercase hex; decimals and instants in their canonical text
/// (<see cref="SettlementCanonicalForm"/>), so the file reads well in <c>sqlite3</c> and
/// the stored text is exactly what is hashed.
/// </summary>
internal static class EmbeddedLedgerSchema
{
    /// <summary>What a connection is for: appending, reading next to a writer, or inspecting a file without changing it.</summary>
    public enum LedgerConnectionRole
    {
        Writer,
        Reader,
        ReadOnlyInspection,
    }

    public const string FormatName = "gateway-embedded-ledger/1";

    // Triggers make the append-only rule hold for every writer that goes through SQLite
    // without dropping them first; Verify catches anyone who does.
    private const string CreateSql = $"""
        CREATE TABLE IF NOT EXISTS ledger_meta (
            key   TEXT PRIMARY KEY,
            value TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS blocks (
            number            INTEGER PRIMARY KEY,
            previous_hash     TEXT NOT NULL,
            timestamp_unix_ms INTEGER NOT NULL,
            settlement_count  INTEGER NOT NULL,
            merkle_root       TEXT NOT NULL,
            block_hash        TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS settlements (
            settlement_id      TEXT PRIMARY KEY,
            block_number       INTEGER NOT NULL,
            position           INTEGER NOT NULL,
            {SettlementRow.DefinitionsAfterId},
            leaf_hash          TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS settlements_by_block ON settlements(block_number, position);
        CREATE INDEX IF NOT EXISTS settlements_by_round ON settlements(round_id, block_number, position);
        CREATE TABLE IF NOT EXISTS ledger_head (
            id           INTEGER PRIMARY KEY CHECK (id = 1),
            block_number INTEGER NOT NULL,
            block_hash   TEXT NOT NULL);
        CREATE TRIGGER IF NOT EXISTS blocks_append_only_update BEFORE UPDATE ON blocks
            BEGIN SELECT RAISE(ABORT, 'the ledger is append-only: blocks cannot be updated'); END;
        CREATE TRIGGER IF NOT EXISTS blocks_append_only_delete BEFORE DELETE ON blocks
            BEGIN SELECT RAISE(ABORT, 'the ledger is append-only: blocks cannot be deleted'); END;
        CREATE TRIGGER IF NOT EXISTS settlements_append_only_update BEFORE UPDATE ON settlements
            BEGIN SELECT RAISE(ABORT, 'the ledger is append-only: settlements cannot be updated'); END;
        CREATE TRIGGER IF NOT EXISTS settlements_append_only_delete BEFORE DELETE ON settlements
            BEGIN SELECT RAISE(ABORT, 'the ledger is append-only: settlements cannot be deleted'); END;
        INSERT OR IGNORE INTO ledger_meta(key, value) VALUES ('format', 'gateway-embedded-ledger/1');
        """;

    /// <summary>How long a writer waits for another writer (task or process) before giving up.</summary>
    public static readonly TimeSpan BusyTimeout = TimeSpan.FromSeconds(30);

    public static string ConnectionString(string databasePath, LedgerConnectionRole role) => new SqliteConnectionStringBuilder
    {
        DataSource = databasePath,
        Mode = role switch
        {
            LedgerConnectionRole.Writer => SqliteOpenMode.ReadWriteCreate,
            LedgerConnectionRole.Reader => SqliteOpenMode.ReadWrite,
            _ => SqliteOpenMode.ReadOnly,
        },
        Pooling = role != LedgerConnectionRole.ReadOnlyInspection,
        DefaultTimeout = (int)BusyTimeout.TotalSeconds,
    }.ToString();

    /// <summary>Opens a connection; a writer gets the durability settings every append needs.</summary>
    public static async Task<SqliteConnection> OpenAsync(string databasePath, LedgerConnectionRole role, CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(ConnectionString(databasePath, role));
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            // synchronous=FULL: a commit returns only after the WAL is fsynced, so a power cut
            // cannot take back a settlement the ledger has acknowledged.
            var pragmas = role == LedgerConnectionRole.Writer
                ? $"PRAGMA busy_timeout = {(int)BusyTimeout.TotalMilliseconds}; PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
                : $"PRAGMA busy_timeout = {(int)BusyTimeout.TotalMilliseconds};";
            await ExecuteAsync(connection, null, pragmas, cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Creates the tables when missing and checks that the file is an embedded ledger of this format.</summary>
    public static async Task EnsureAsync(SqliteConnection connection, string databasePath, CancellationToken cancellationToken)
    {
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, CreateSql, cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, EmbeddedStreamChain.CreateSql, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        await CheckFormatAsync(connection, databasePath, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Throws <see cref="InvalidDataException"/> unless the file holds an embedded ledger of this format.</summary>
    public static async Task CheckFormatAsync(SqliteConnection connection, string databasePath, CancellationToken cancellationToken)
    {
        string? format;
        try
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT value FROM ledger_meta WHERE key = 'format'";
            format = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
        }
        catch (SqliteException e)
        {
            throw new InvalidDataException($"{databasePath} is not an embedded ledger ({e.Message})", e);
        }
        if (format != FormatName)
            throw new InvalidDataException($"{databasePath} is not an embedded ledger of format {FormatName} (found '{format ?? "no format"}')");
    }

    public static async Task ExecuteAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
