using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Gateway.Drivers.Mqtt;

/// <summary>
/// A durable <see cref="IMqttOutboxStore"/> in one SQLite file (WAL). Every <see cref="Add"/> is committed before it
/// returns, with <c>synchronous=FULL</c> by default, so a message <c>PublishAsync</c> accepted survives a crash of the
/// process and a power cut; <c>synchronous=NORMAL</c> (<c>survivePowerLoss: false</c>) survives a crash of the
/// process only, for higher rates.
/// </summary>
public sealed class SqliteMqttOutboxStore : IMqttOutboxStore
{
    private readonly SqliteConnection _connection;
    private readonly object _gate = new();

    /// <summary>Open (or create) the store at <paramref name="path"/>.</summary>
    /// <param name="path">The SQLite file; its directory is created.</param>
    /// <param name="survivePowerLoss">Commit with an fsync (true) or only to the OS (false).</param>
    /// <exception cref="IOException">The file cannot be opened or is not a store of this kind.</exception>
    public SqliteMqttOutboxStore(string path, bool survivePowerLoss = true)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = System.IO.Path.GetFullPath(path);
        try
        {
            if (System.IO.Path.GetDirectoryName(Path) is { Length: > 0 } directory) Directory.CreateDirectory(directory);
            _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path, Pooling = false }.ToString());
            _connection.Open();
            Execute("PRAGMA journal_mode=WAL;");
            Execute(survivePowerLoss ? "PRAGMA synchronous=FULL;" : "PRAGMA synchronous=NORMAL;");
            Execute("""
                CREATE TABLE IF NOT EXISTS mqtt_outbox (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    topic TEXT NOT NULL,
                    payload BLOB NOT NULL,
                    qos INTEGER NOT NULL,
                    retain INTEGER NOT NULL,
                    user_properties TEXT NOT NULL);
                """);
        }
        catch (SqliteException ex)
        {
            _connection?.Dispose();
            throw new IOException($"MQTT outbox {Path}: {ex.Message}", ex);
        }
    }

    /// <summary>The store's file.</summary>
    public string Path { get; }

    /// <inheritdoc />
    public IReadOnlyList<MqttStoredMessage> Load()
    {
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT id, topic, payload, qos, retain, user_properties FROM mqtt_outbox ORDER BY id";
            using var reader = command.ExecuteReader();
            var messages = new List<MqttStoredMessage>();
            while (reader.Read())
            {
                var properties = JsonSerializer.Deserialize<string[][]>(reader.GetString(5)) ?? [];
                messages.Add(new MqttStoredMessage(reader.GetInt64(0), reader.GetString(1), (byte[])reader.GetValue(2), (MqttQos)reader.GetInt32(3),
                    reader.GetInt32(4) != 0, properties.Select(p => new KeyValuePair<string, string>(p[0], p[1])).ToArray()));
            }
            return messages;
        }
    }

    /// <inheritdoc />
    public long Add(MqttStoredMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "INSERT INTO mqtt_outbox (topic, payload, qos, retain, user_properties) VALUES ($t, $p, $q, $r, $u) RETURNING id";
            command.Parameters.AddWithValue("$t", message.Topic);
            command.Parameters.AddWithValue("$p", message.Payload);
            command.Parameters.AddWithValue("$q", (int)message.Qos);
            command.Parameters.AddWithValue("$r", message.Retain ? 1 : 0);
            command.Parameters.AddWithValue("$u", JsonSerializer.Serialize(message.UserProperties.Select(p => new[] { p.Key, p.Value })));
            return (long)command.ExecuteScalar()!;
        }
    }

    /// <inheritdoc />
    public void Remove(long id)
    {
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "DELETE FROM mqtt_outbox WHERE id = $id";
            command.Parameters.AddWithValue("$id", id);
            command.ExecuteNonQuery();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_gate) _connection.Dispose();
    }

    private void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
