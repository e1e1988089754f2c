using System.Globalization;
using Gateway.Host.Status;
using Microsoft.Data.Sqlite;

namespace Gateway.Host.Journal;

/// <summary>
/// Every operator acknowledgement, accepted or not, with who, via what, from where and when (wall time), in the round
/// journal's database: the audit trail of who allowed which dispatch. Written before the acknowledgement counts.
/// </summary>
public sealed class OperatorAckJournal : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly object _gate = new();

    private OperatorAckJournal(SqliteConnection connection) => _connection = connection;

    /// <summary>Open (creating the table when missing) in the database at <paramref name="path"/>.</summary>
    public static OperatorAckJournal Open(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false, DefaultTimeout = 30 }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=30000;
            CREATE TABLE IF NOT EXISTS operator_acks (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                round_id TEXT NOT NULL,
                operator TEXT NOT NULL,
                via TEXT NOT NULL,
                source TEXT NOT NULL,
                at_utc TEXT NOT NULL,
                counted INTEGER NOT NULL);
            CREATE INDEX IF NOT EXISTS operator_acks_round ON operator_acks(round_id);
            """;
        command.ExecuteNonQuery();
        return new OperatorAckJournal(connection);
    }

    /// <summary>Journal <paramref name="ack"/>; <paramref name="counted"/> says whether it is the one recorded for its round.</summary>
    public void Record(OperatorAck ack, bool counted)
    {
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "INSERT INTO operator_acks (round_id, operator, via, source, at_utc, counted) VALUES ($r, $o, $v, $s, $t, $c)";
            command.Parameters.AddWithValue("$r", ack.RoundId);
            command.Parameters.AddWithValue("$o", ack.OperatorId);
            command.Parameters.AddWithValue("$v", ack.Via);
            command.Parameters.AddWithValue("$s", ack.Source);
            command.Parameters.AddWithValue("$t", ack.AtUtc.ToString("O", CultureInfo.InvariantCulture));
            command.Parameters.AddWithValue("$c", counted ? 1 : 0);
            command.ExecuteNonQuery();
        }
    }

    /// <summary>Acknowledgements of <paramref name="roundId"/> in the order they came (with whether each counted).</summary>
    public IReadOnlyList<(OperatorAck Ack, bool Counted)> ForRound(string roundId)
    {
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT round_id, operator, via, source, at_utc, counted FROM operator_acks WHERE round_id = $r ORDER BY id";
            command.Parameters.AddWithValue("$r", roundId);
            using var reader = command.ExecuteReader();
            var list = new List<(OperatorAck, bool)>();
            while (reader.Read())
                list.Add((new OperatorAck(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                    DateTimeOffset.Parse(reader.GetString(4), CultureInfo.InvariantCulture)), reader.GetInt32(5) == 1));
            return list;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_gate) _connection.Dispose();
    }
}
