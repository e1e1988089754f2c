using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Gateway.Runtime.Journal;

/// <summary>
/// An append-only audit table in the round journal's database (operator acknowledgements, e-stop events): its own
/// connection, durable like the journal (WAL, synchronous=FULL), one statement at a time.
/// </summary>
internal sealed class JournalTable : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly object _gate = new();

    private JournalTable(SqliteConnection connection) => _connection = connection;

    /// <summary>Open the database at <paramref name="path"/> (creating it when missing) and run <paramref name="schema"/> (idempotent DDL).</summary>
    public static JournalTable Open(string path, string schema)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false, DefaultTimeout = 30 }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=30000;\n" + schema;
        command.ExecuteNonQuery();
        return new JournalTable(connection);
    }

    /// <summary>Run <paramref name="sql"/> (an insert) with <paramref name="parameters"/>; null values are written as NULL.</summary>
    public void Execute(string sql, params (string Name, object? Value)[] parameters)
    {
        lock (_gate)
        {
            using var command = Command(sql, parameters);
            command.ExecuteNonQuery();
        }
    }

    /// <summary>The rows <paramref name="sql"/> selects, each read by <paramref name="read"/>.</summary>
    public IReadOnlyList<T> Query<T>(string sql, Func<SqliteDataReader, T> read, params (string Name, object? Value)[] parameters)
    {
        lock (_gate)
        {
            using var command = Command(sql, parameters);
            using var reader = command.ExecuteReader();
            var list = new List<T>();
            while (reader.Read()) list.Add(read(reader));
            return list;
        }
    }

    /// <summary>An instant as the audit tables store it (round-trip ISO 8601).</summary>
    public static string Iso(DateTimeOffset at) => at.ToString("O", CultureInfo.InvariantCulture);

    /// <summary>An instant stored by <see cref="Iso"/>.</summary>
    public static DateTimeOffset ParseIso(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_gate) _connection.Dispose();
    }

    private SqliteCommand Command(string sql, (string Name, object? Value)[] parameters)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }
}
