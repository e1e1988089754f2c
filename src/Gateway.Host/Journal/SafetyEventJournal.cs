using System.Globalization;
using Gateway.Host.Status;
using Microsoft.Data.Sqlite;

namespace Gateway.Host.Journal;

/// <summary>
/// Every step of every e-stop trip and reset (wall time), in the round journal's database: what the interlock did, to
/// which device, when — the record a lab reviews after an incident.
/// </summary>
public sealed class SafetyEventJournal : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly object _gate = new();

    private SafetyEventJournal(SqliteConnection connection) => _connection = connection;

    /// <summary>Open (creating the table when missing) in the database at <paramref name="path"/>.</summary>
    public static SafetyEventJournal Open(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false, DefaultTimeout = 30 }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=30000;
            CREATE TABLE IF NOT EXISTS safety_events (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                at_utc TEXT NOT NULL,
                kind TEXT NOT NULL,
                trip_id TEXT NOT NULL,
                device_id TEXT,
                detail TEXT NOT NULL);
            """;
        command.ExecuteNonQuery();
        return new SafetyEventJournal(connection);
    }

    /// <summary>Journal one event.</summary>
    public void Record(InterlockEvent e)
    {
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "INSERT INTO safety_events (at_utc, kind, trip_id, device_id, detail) VALUES ($t, $k, $trip, $d, $detail)";
            command.Parameters.AddWithValue("$t", e.AtUtc.ToString("O", CultureInfo.InvariantCulture));
            command.Parameters.AddWithValue("$k", e.Kind);
            command.Parameters.AddWithValue("$trip", e.TripId);
            command.Parameters.AddWithValue("$d", (object?)e.DeviceId ?? DBNull.Value);
            command.Parameters.AddWithValue("$detail", e.Detail);
            command.ExecuteNonQuery();
        }
    }

    /// <summary>Every event journaled, oldest first.</summary>
    public IReadOnlyList<InterlockEvent> All()
    {
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT at_utc, kind, trip_id, device_id, detail FROM safety_events ORDER BY id";
            using var reader = command.ExecuteReader();
            var list = new List<InterlockEvent>();
            while (reader.Read())
                list.Add(new InterlockEvent(DateTimeOffset.Parse(reader.GetString(0), CultureInfo.InvariantCulture), reader.GetString(1), reader.GetString(2),
                    reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetString(4)));
            return list;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_gate) _connection.Dispose();
    }
}
