using Gateway.LedgerClient.Embedded;
using Gateway.LedgerClient.Outbox;
using Microsoft.Data.Sqlite;

namespace Gateway.Runtime.Ledger;

/// <summary>
/// What a gateway's journal says it put (or still has to put) on the three streams, read without changing the file:
/// its epoch, the settlement outbox and the side chains' record outbox.
/// </summary>
/// <param name="Epoch">The journal's epoch, or null for a journal from before epochs.</param>
/// <param name="Settlements">Every settlement row, in queue order.</param>
/// <param name="Records">Every side-chain record row, in queue order.</param>
/// <remarks>Public: the ledger and trace verbs read a journal without starting a gateway.</remarks>
public sealed record JournalLedgerView(string? Epoch, IReadOnlyList<OutboxEntry> Settlements, IReadOnlyList<RoundRecordEntry> Records)
{
    /// <summary>Reads the journal at <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">No file there.</exception>
    /// <exception cref="InvalidDataException">The file is not a gateway journal with a settlement outbox.</exception>
    public static async Task<JournalLedgerView> ReadAsync(string path, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"no journal file at {path}", path);
        await using var connection = await OpenReadOnlyAsync(path, cancellationToken).ConfigureAwait(false);
        if (!await HasTableAsync(connection, SettlementOutbox.TableName, cancellationToken).ConfigureAwait(false))
            throw new InvalidDataException($"{path} has no settlement outbox (table {SettlementOutbox.TableName}): not a gateway journal");
        string? epoch = null;
        if (await HasTableAsync(connection, "journal_meta", cancellationToken).ConfigureAwait(false))
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT value FROM journal_meta WHERE key = 'epoch'";
            epoch = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
        }
        try
        {
            return new JournalLedgerView(epoch,
                await SettlementOutbox.ReadEntriesAsync(connection, cancellationToken: cancellationToken).ConfigureAwait(false),
                await RoundRecordOutbox.ReadEntriesAsync(connection, cancellationToken: cancellationToken).ConfigureAwait(false));
        }
        catch (Exception e) when (e is FormatException or SqliteException)
        {
            throw new InvalidDataException($"{path}: the outbox is unreadable ({e.Message})", e);
        }
    }

    /// <summary>A read-only connection to the journal (the gateway may be running).</summary>
    internal static async Task<SqliteConnection> OpenReadOnlyAsync(string path, CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch (SqliteException e)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw new InvalidDataException($"{path} is not a readable journal ({e.Message})", e);
        }
    }

    private static async Task<bool> HasTableAsync(SqliteConnection connection, string table, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = $name";
        command.Parameters.AddWithValue("$name", table);
        try
        {
            return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))! > 0;
        }
        catch (SqliteException e)
        {
            throw new InvalidDataException($"not a gateway journal ({e.Message})", e);
        }
    }
}
