using System.Globalization;
using System.Threading.Channels;
using Gateway.Drivers.Devices;
using Microsoft.Data.Sqlite;

namespace Gateway.Host.Devices;

/// <summary>
/// Keeps every reading in an embedded SQLite store for later inspection (one row per point
/// and poll). Pollers hand readings over without waiting; a writer task stores them in batches,
/// one transaction per batch, and trims what is older than the retention.
/// </summary>
public sealed class MeasurementLog : IAsyncDisposable
{
    private readonly Channel<(string DeviceId, DeviceReading Reading)> _queue =
        Channel.CreateBounded<(string, DeviceReading)>(new BoundedChannelOptions(50_000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
    private readonly SqliteConnection _connection;
    private readonly TimeSpan _retention;
    private readonly Task _writer;
    private long _stored;

    /// <summary>Open (creating when missing) the log at <paramref name="path"/>.</summary>
    public MeasurementLog(string path, TimeSpan retention)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        _connection.Open();
        using (var cmd = _connection.CreateCommand())
        {
            cmd.CommandText = """
                PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;
                CREATE TABLE IF NOT EXISTS measurements (
                    device_id TEXT NOT NULL, read_at TEXT NOT NULL, point TEXT NOT NULL,
                    value REAL, unit TEXT NOT NULL, quality TEXT NOT NULL);
                CREATE INDEX IF NOT EXISTS measurements_device_time ON measurements(device_id, read_at);
                """;
            cmd.ExecuteNonQuery();
        }
        _retention = retention;
        _writer = Task.Run(WriteLoopAsync);
    }

    /// <summary>Readings stored so far.</summary>
    public long Stored => Interlocked.Read(ref _stored);

    /// <summary>Queue a reading; never blocks the poller (the oldest queued reading is dropped when the writer lags far behind).</summary>
    public void Append(string deviceId, DeviceReading reading) => _queue.Writer.TryWrite((deviceId, reading));

    private async Task WriteLoopAsync()
    {
        var batch = new List<(string DeviceId, DeviceReading Reading)>();
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < 2000 && _queue.Reader.TryRead(out var item)) batch.Add(item);
            Write(batch);
            batch.Clear();
        }
    }

    private void Write(List<(string DeviceId, DeviceReading Reading)> batch)
    {
        using var tx = _connection.BeginTransaction();
        using var cmd = _connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "INSERT INTO measurements(device_id, read_at, point, value, unit, quality) VALUES ($d, $t, $p, $v, $u, $q)";
        var d = cmd.Parameters.Add("$d", SqliteType.Text);
        var t = cmd.Parameters.Add("$t", SqliteType.Text);
        var p = cmd.Parameters.Add("$p", SqliteType.Text);
        var v = cmd.Parameters.Add("$v", SqliteType.Real);
        var u = cmd.Parameters.Add("$u", SqliteType.Text);
        var q = cmd.Parameters.Add("$q", SqliteType.Text);
        DateTimeOffset newest = DateTimeOffset.MinValue;
        foreach (var (deviceId, reading) in batch)
        {
            foreach (var m in reading.Measurements)
            {
                d.Value = deviceId;
                t.Value = m.Timestamp.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
                p.Value = m.Point;
                v.Value = (object?)m.Value ?? DBNull.Value;
                u.Value = m.Unit;
                q.Value = m.Quality.ToString();
                cmd.ExecuteNonQuery();
            }
            if (reading.Timestamp > newest) newest = reading.Timestamp;
        }
        if (newest > DateTimeOffset.MinValue)
        {
            using var trim = _connection.CreateCommand();
            trim.Transaction = tx;
            trim.CommandText = "DELETE FROM measurements WHERE read_at < $cut";
            trim.Parameters.AddWithValue("$cut", (newest - _retention).UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
            trim.ExecuteNonQuery();
        }
        tx.Commit();
        Interlocked.Add(ref _stored, batch.Count);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
        _connection.Dispose();
    }
}
