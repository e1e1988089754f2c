using System.Globalization;
using System.Threading.Channels;
using Gateway.Drivers.Devices;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Gateway.Runtime.Devices;

/// <summary>
/// Keeps the readings in an embedded SQLite store for later inspection, by exception as a historian does: a point's row is
/// written when its value or quality changed since the point's last row, and at least once per <see cref="Keyframe"/> of
/// the readings' own (plant) time; between two rows of a point its value is the earlier row's. Pollers hand readings over
/// without waiting; a writer task stores them in batches, one transaction per batch, and trims what is older than the
/// retention.
/// </summary>
/// <remarks>
/// Cost per reading matters here: every device's every poll passes through (2,000 devices at 1 Hz are ~24,000 rows a
/// second). The writer gathers what arrives within <see cref="BatchWindow"/> into one transaction, formats a reading's
/// timestamp once for all its points, and trims by row id: rows are appended in arrival order, so what is older than
/// the retention is a prefix of the table, deleted as a range of the primary key instead of a scan of the whole table
/// per batch (there is no index on the time alone). A row costs ~7–9 µs of CPU in SQLite and its provider (measured with
/// the table and index below), so a row per point and poll was ~0.2 of a core at 2,000 devices; most points (limits,
/// plug state, capacity, error code) do not change from poll to poll, and their unchanged rows are not written.
/// </remarks>
internal sealed class MeasurementLog : IAsyncDisposable
{
    private static readonly string[] QualityNames = Enum.GetValues<MeasurementQuality>().Select(q => q.ToString()).ToArray();
    private readonly Channel<(string DeviceId, DeviceReading Reading)> _queue =
        Channel.CreateBounded<(string, DeviceReading)>(new BoundedChannelOptions(50_000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
    private readonly SqliteConnection _connection;
    private readonly TimeSpan _retention;
    private readonly TimeProvider _wallClock;
    private readonly Task _writer;
    // (newest reading time, highest row id) of each batch written, oldest first: what the trim may delete up to.
    private readonly Queue<(DateTimeOffset Newest, long MaxRowId)> _batches = new();
    private readonly CancellationTokenSource _stopping = new();
    private bool _trimmedByScan;
    private readonly ILogger? _logger;
    private long _stored;
    private long _failedWrites;
    private long _dropped;

    /// <summary>Readings kept in memory while the store refuses them (a full disk); beyond this the oldest are dropped.</summary>
    public const int MaxHeldReadings = 20_000;

    /// <summary>Open (creating when missing) the log at <paramref name="path"/>.</summary>
    /// <param name="path">The SQLite file.</param>
    /// <param name="retention">Readings older than this (by their own timestamps) are deleted.</param>
    /// <param name="wallClock">Paces the batching (default: the system's).</param>
    /// <param name="logger">Where a store that refuses readings (a full disk) is reported.</param>
    public MeasurementLog(string path, TimeSpan retention, TimeProvider? wallClock = null, ILogger? logger = null)
    {
        _logger = logger;
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
        _wallClock = wallClock ?? TimeProvider.System;
        _writer = Task.Run(WriteLoopAsync);
    }

    /// <summary>How long the writer gathers readings into one transaction (wall time).</summary>
    public TimeSpan BatchWindow { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Longest time (the readings' own, plant time) between two rows of a point whose value does not change: one market
    /// interval, so any interval's values are in the log from within it.
    /// </summary>
    public TimeSpan Keyframe { get; init; } = TimeSpan.FromMinutes(15);

    // The last row written of each (device, point): what an unchanged reading is compared with. Writer thread only.
    private readonly Dictionary<(string DeviceId, string Point), (double? Value, MeasurementQuality Quality, DateTimeOffset At)> _written = [];

    /// <summary>Readings stored so far.</summary>
    public long Stored => Interlocked.Read(ref _stored);

    /// <summary>Batches the store refused (e.g. disk full); their readings were kept and written later.</summary>
    public long FailedWrites => Interlocked.Read(ref _failedWrites);

    /// <summary>Readings given up because the store refused them for longer than <see cref="MaxHeldReadings"/> lasted.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Queue a reading; never blocks the poller (the oldest queued reading is dropped when the writer lags far behind).</summary>
    public void Append(string deviceId, DeviceReading reading) => _queue.Writer.TryWrite((deviceId, reading));

    private async Task WriteLoopAsync()
    {
        var batch = new List<(string DeviceId, DeviceReading Reading)>();
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            // Let a burst (every device polled at once) gather: one transaction for it rather than one per reading.
            if (!_stopping.IsCancellationRequested)
            {
                try { await Task.Delay(BatchWindow, _wallClock, _stopping.Token).ConfigureAwait(false); }
                catch (OperationCanceledException) { }
            }
            while (batch.Count < MaxHeldReadings && _queue.Reader.TryRead(out var item)) batch.Add(item);
            try
            {
                Write(batch);
                if (Interlocked.Read(ref _failedWrites) > 0 && _logger is not null && batch.Count > 0)
                    _logger.LogDebug("measurement log writes again ({Count} readings stored)", batch.Count);
                batch.Clear();
            }
            catch (SqliteException e)
            {
                // A full disk (or a file system gone read-only) must not end the log for the rest of the run, nor fail the
                // gateway's stop: keep the readings and try again shortly, dropping the oldest beyond the bound.
                var failures = Interlocked.Increment(ref _failedWrites);
                if (failures == 1 || failures % 100 == 0)
                    _logger?.LogError("measurement log {Path}: cannot store readings ({Error}); keeping up to {Max} in memory and retrying",
                        _connection.DataSource, e.Message, MaxHeldReadings);
                if (batch.Count >= MaxHeldReadings)
                {
                    var drop = batch.Count - MaxHeldReadings / 2;
                    batch.RemoveRange(0, drop);
                    Interlocked.Add(ref _dropped, drop);
                }
                try { await Task.Delay(TimeSpan.FromMilliseconds(500)).ConfigureAwait(false); }
                catch (OperationCanceledException) { }
                if (_queue.Reader.Completion.IsCompleted && batch.Count > 0)
                {
                    Interlocked.Add(ref _dropped, batch.Count);
                    _logger?.LogError("measurement log {Path}: {Count} readings could not be stored before the stop", _connection.DataSource, batch.Count);
                    return;
                }
            }
        }
        if (batch.Count > 0)
        {
            try { Write(batch); }
            catch (SqliteException) { Interlocked.Add(ref _dropped, batch.Count); }
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
        cmd.Prepare();
        var written = new Dictionary<(string DeviceId, string Point), (double? Value, MeasurementQuality Quality, DateTimeOffset At)>();
        DateTimeOffset newest = DateTimeOffset.MinValue;
        foreach (var (deviceId, reading) in batch)
        {
            d.Value = deviceId;
            DateTimeOffset stamped = default;
            foreach (var m in reading.Measurements)
            {
                var key = (deviceId, m.Point);
                if ((written.TryGetValue(key, out var last) || _written.TryGetValue(key, out last)) && last.Quality == m.Quality
                    && Same(last.Value, m.Value) && m.Timestamp >= last.At && m.Timestamp - last.At < Keyframe)
                    continue;
                written[key] = (m.Value, m.Quality, m.Timestamp);
                if (m.Timestamp != stamped)
                {
                    stamped = m.Timestamp;
                    t.Value = stamped.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
                }
                p.Value = m.Point;
                v.Value = (object?)m.Value ?? DBNull.Value;
                u.Value = m.Unit;
                q.Value = (int)m.Quality is var i && i >= 0 && i < QualityNames.Length ? QualityNames[i] : m.Quality.ToString();
                cmd.ExecuteNonQuery();
            }
            if (reading.Timestamp > newest) newest = reading.Timestamp;
        }
        if (newest > DateTimeOffset.MinValue)
        {
            using (var last = _connection.CreateCommand())
            {
                last.Transaction = tx;
                last.CommandText = "SELECT max(rowid) FROM measurements";
                if (last.ExecuteScalar() is long maxRowId) _batches.Enqueue((newest, maxRowId));
            }
            Trim(tx, newest - _retention);
        }
        tx.Commit();
        // Only what is committed counts as written: a batch the store refused is compared with the rows before it again.
        foreach (var (key, row) in written) _written[key] = row;
        Interlocked.Add(ref _stored, batch.Count);
    }

    // Exact: a measured value that moved at all is a change (a deadband would hide a slow drift from the log).
    private static bool Same(double? a, double? b) => a is { } x ? b is { } y && (x == y || (double.IsNaN(x) && double.IsNaN(y))) : b is null;

    private void Trim(SqliteTransaction tx, DateTimeOffset cut)
    {
        using var trim = _connection.CreateCommand();
        trim.Transaction = tx;
        if (!_trimmedByScan)
        {
            // Once per run, for what earlier runs left: the only scan of the whole table.
            _trimmedByScan = true;
            trim.CommandText = "DELETE FROM measurements WHERE read_at < $cut";
            trim.Parameters.AddWithValue("$cut", cut.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
            trim.ExecuteNonQuery();
            return;
        }
        long upTo = -1;
        while (_batches.Count > 1 && _batches.Peek().Newest < cut) upTo = _batches.Dequeue().MaxRowId;
        if (upTo < 0) return;
        trim.CommandText = "DELETE FROM measurements WHERE rowid <= $upTo";
        trim.Parameters.AddWithValue("$upTo", upTo);
        trim.ExecuteNonQuery();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        _stopping.Cancel();
        await _writer.ConfigureAwait(false);
        _stopping.Dispose();
        _connection.Dispose();
    }
}
