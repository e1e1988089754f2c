using Gateway.Drivers.Devices;
using Gateway.Runtime.Devices;
using Microsoft.Data.Sqlite;

namespace Gateway.Host.Tests.Devices;

/// <summary>
/// The measurement log stores by exception: a point's row when its value or quality changed, and at least once per
/// keyframe of plant time; a batch the store refused is compared with what was committed before it, not with itself.
/// </summary>
public sealed class MeasurementLogTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2030, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly string _dir = Directory.CreateTempSubdirectory("mlog-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    private static DeviceReading Reading(TimeSpan at, double powerKw, double plug, MeasurementQuality powerQuality = MeasurementQuality.Good) =>
        new("v2g-charger", T0 + at,
        [
            new Measurement("PowerKw", PointRole.MeasuredPower, powerKw, "kW", T0 + at, powerQuality),
            new Measurement("PlugState", PointRole.PlugState, plug, "", T0 + at, MeasurementQuality.Good),
        ]);

    private List<(string Point, string At, double? Value, string Quality)> Rows(string path)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false, Mode = SqliteOpenMode.ReadOnly }.ToString());
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT point, read_at, value, quality FROM measurements ORDER BY rowid";
        using var reader = cmd.ExecuteReader();
        var rows = new List<(string, string, double?, string)>();
        while (reader.Read()) rows.Add((reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetDouble(2), reader.GetString(3)));
        return rows;
    }

    [Fact]
    public async Task A_point_is_stored_when_it_changes_and_once_per_keyframe_otherwise()
    {
        var path = Path.Combine(_dir, "m.db");
        await using (var log = new MeasurementLog(path, TimeSpan.FromDays(2)) { BatchWindow = TimeSpan.Zero })
        {
            log.Append("ev-1", Reading(TimeSpan.Zero, -3, 1));                                           // both: first rows
            log.Append("ev-1", Reading(TimeSpan.FromMinutes(1), -3, 1));                                 // nothing changed
            log.Append("ev-1", Reading(TimeSpan.FromMinutes(2), -3.5, 1));                               // PowerKw moved
            log.Append("ev-1", Reading(TimeSpan.FromMinutes(3), -3.5, 1, MeasurementQuality.OutOfRange)); // its quality changed
            log.Append("ev-2", Reading(TimeSpan.FromMinutes(3), -3, 1));                                 // another device: its own rows
            log.Append("ev-1", Reading(TimeSpan.FromMinutes(14), -3.5, 1, MeasurementQuality.OutOfRange)); // unchanged, within 15 min
            log.Append("ev-1", Reading(TimeSpan.FromMinutes(15), -3.5, 1, MeasurementQuality.OutOfRange)); // PlugState's keyframe
        }
        var rows = Rows(path);
        Assert.Equal(
        [
            ("PowerKw", "2030-01-01T12:00:00.0000000Z", -3, "Good"),
            ("PlugState", "2030-01-01T12:00:00.0000000Z", 1, "Good"),
            ("PowerKw", "2030-01-01T12:02:00.0000000Z", -3.5, "Good"),
            ("PowerKw", "2030-01-01T12:03:00.0000000Z", -3.5, "OutOfRange"),
            ("PowerKw", "2030-01-01T12:03:00.0000000Z", -3, "Good"),
            ("PlugState", "2030-01-01T12:03:00.0000000Z", 1, "Good"),
            ("PlugState", "2030-01-01T12:15:00.0000000Z", 1, "Good"),
        ], rows);
    }

    [Fact]
    public async Task A_log_reopened_stores_the_first_reading_of_each_point_again()
    {
        var path = Path.Combine(_dir, "m.db");
        await using (var log = new MeasurementLog(path, TimeSpan.FromDays(2)) { BatchWindow = TimeSpan.Zero })
            log.Append("ev-1", Reading(TimeSpan.Zero, -3, 1));
        await using (var log = new MeasurementLog(path, TimeSpan.FromDays(2)) { BatchWindow = TimeSpan.Zero })
            log.Append("ev-1", Reading(TimeSpan.FromMinutes(1), -3, 1));
        Assert.Equal(4, Rows(path).Count);
    }
}
