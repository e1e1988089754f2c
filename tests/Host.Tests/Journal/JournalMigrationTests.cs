using Gateway.Drivers.Devices;
using Gateway.Runtime.Journal;
using Gateway.Testing;
using Microsoft.Data.Sqlite;

namespace Gateway.Host.Tests.Journal;

/// <summary>
/// A missed setpoint carries the kind of the device's failure in its own journal column (the dispatch re-check decides
/// the device's fail-safe range from it, not from the wording of its detail); a journal written before that column
/// existed is migrated when opened, so a newer gateway resumes the rounds an older one left open.
/// </summary>
public sealed class JournalMigrationTests : IDisposable
{
    // The setpoint tables exactly as the gateway wrote them before the kind had a column (main at 26aebbf).
    private const string FirstReleaseSchema = """
        CREATE TABLE rounds (round_id TEXT PRIMARY KEY, interval_start TEXT NOT NULL, interval_end TEXT NOT NULL, state INTEGER NOT NULL,
            input_json TEXT NOT NULL, decision_json TEXT NOT NULL, result_json TEXT, updated_at TEXT NOT NULL);
        CREATE TABLE setpoints (round_id TEXT NOT NULL REFERENCES rounds(round_id), device_id TEXT NOT NULL, setpoint_kw REAL NOT NULL,
            valid_until TEXT NOT NULL, status INTEGER NOT NULL, readback_kw REAL, detail TEXT, updated_at TEXT NOT NULL, PRIMARY KEY (round_id, device_id));
        CREATE TABLE superseded_setpoints (round_id TEXT NOT NULL, device_id TEXT NOT NULL, revision INTEGER NOT NULL, setpoint_rowid INTEGER NOT NULL,
            setpoint_kw REAL NOT NULL, valid_until TEXT NOT NULL, status INTEGER NOT NULL, readback_kw REAL, detail TEXT, revised_because TEXT NOT NULL,
            revised_at TEXT NOT NULL, PRIMARY KEY (round_id, device_id, revision));
        CREATE TABLE journal_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        INSERT INTO journal_meta VALUES ('epoch', 'e0ld');
        INSERT INTO rounds VALUES ('r1', '2026-06-01T10:00:00.0000000+00:00', '2026-06-01T10:15:00.0000000+00:00', 2, '{}', '{}', NULL, '2026-06-01T10:00:01.0000000+00:00');
        INSERT INTO setpoints VALUES ('r1', 'ev-refused', 7.4, '2026-06-01T10:16:00.0000000+00:00', 3, NULL,
            'the device refused: 127.0.0.1:502 unit 1 answered function 10 with exception 06 (server device busy: try again later)', '2026-06-01T10:00:02.0000000+00:00');
        INSERT INTO setpoints VALUES ('r1', 'ev-late', 5.0, '2026-06-01T10:16:00.0000000+00:00', 3, NULL,
            'no answer in time: 127.0.0.1:503 unit 1 did not answer within 1 s', '2026-06-01T10:00:02.0000000+00:00');
        INSERT INTO setpoints VALUES ('r1', 'ev-readback', 6.0, '2026-06-01T10:16:00.0000000+00:00', 3, 4.0, 'read back 4 kW for 6 kW', '2026-06-01T10:00:02.0000000+00:00');
        INSERT INTO setpoints VALUES ('r1', 'ev-ok', 3.0, '2026-06-01T10:16:00.0000000+00:00', 2, 3.0, NULL, '2026-06-01T10:00:02.0000000+00:00');
        INSERT INTO setpoints VALUES ('r1', 'ev-isolated', 2.0, '2026-06-01T10:16:00.0000000+00:00', 4, NULL, 'device isolated: unreachable: connection refused', '2026-06-01T10:00:02.0000000+00:00');
        INSERT INTO superseded_setpoints VALUES ('r1', 'ev-ok', 0, 4, 4.0, '2026-06-01T10:16:00.0000000+00:00', 3, NULL,
            'unusable value: 127.0.0.1:504: setpoint out of range', 're-check', '2026-06-01T10:00:03.0000000+00:00');
        """;

    private readonly string _dir = Directory.CreateTempSubdirectory("journal-migration-").FullName;
    private readonly FakeTimeProvider _clock = TestClocks.New();

    private string DbPath => Path.Combine(_dir, "journal.db");

    [Fact]
    public void A_journal_written_before_the_error_kind_column_reads_each_missed_setpoints_kind_from_its_old_wording()
    {
        WriteFirstReleaseJournal();

        using var journal = RoundJournal.Open(DbPath, _clock);

        var setpoints = journal.Setpoints("r1").ToDictionary(s => s.DeviceId);
        Assert.Equal(DeviceErrorKind.Refused, setpoints["ev-refused"].ErrorKind);
        Assert.Equal(DeviceErrorKind.Timeout, setpoints["ev-late"].ErrorKind);
        // A wrong read-back, a confirmed and a skipped setpoint were no device failure.
        Assert.Null(setpoints["ev-readback"].ErrorKind);
        Assert.Null(setpoints["ev-ok"].ErrorKind);
        Assert.Null(setpoints["ev-isolated"].ErrorKind);
        // Nothing else changed: the round stays open for the resume, the epoch (in every settlement id) is kept.
        Assert.Equal(RoundState.Dispatching, Assert.Single(journal.OpenRounds()).State);
        Assert.Equal("e0ld", journal.Epoch);
        Assert.Equal("the device refused: 127.0.0.1:502 unit 1 answered function 10 with exception 06 (server device busy: try again later)",
            setpoints["ev-refused"].Detail);
        var superseded = Assert.Single(journal.SupersededSetpoints("r1"));
        Assert.Equal(DeviceErrorKind.BadValue, superseded.Setpoint.ErrorKind);
        Assert.Equal("re-check", superseded.RevisedBecause);
        Assert.Equal(JournalMigrations.Current.ToString(System.Globalization.CultureInfo.InvariantCulture), Meta("schema"));
    }

    [Fact]
    public void Opening_a_migrated_journal_again_changes_nothing_and_new_outcomes_keep_their_kind()
    {
        WriteFirstReleaseJournal();
        using (RoundJournal.Open(DbPath, _clock)) { }

        using var journal = RoundJournal.Open(DbPath, _clock);
        journal.RecordSetpointOutcome("r1", "ev-readback", SetpointStatus.Missed, null, "garbled answer: a short frame", DeviceErrorKind.Protocol);

        var setpoints = journal.Setpoints("r1").ToDictionary(s => s.DeviceId);
        Assert.Equal(DeviceErrorKind.Protocol, setpoints["ev-readback"].ErrorKind);
        Assert.Equal(DeviceErrorKind.Refused, setpoints["ev-refused"].ErrorKind);
        Assert.Single(journal.SupersededSetpoints("r1"));
    }

    [Fact]
    public void A_revised_setpoint_keeps_its_failure_kind_in_the_superseded_row_and_is_intended_again_without_one()
    {
        using var journal = RoundJournal.Open(DbPath, _clock);
        var start = new DateTimeOffset(2026, 6, 1, 10, 0, 0, TimeSpan.Zero);
        journal.BeginRound("r1", start, start.AddMinutes(15), "{}", "{}");
        journal.RecordSetpointIntent("r1", "ev01", 7.4, start.AddMinutes(16));
        journal.RecordSetpointOutcome("r1", "ev01", SetpointStatus.Missed, null, "unreachable: connection reset", DeviceErrorKind.Unreachable);

        journal.RecordRecheck("r1", [], [new SetpointRevision("ev01", 3.0, start.AddMinutes(16), "re-check: ev02 cannot be dispatched")]);

        var superseded = Assert.Single(journal.SupersededSetpoints("r1")).Setpoint;
        Assert.Equal((7.4, DeviceErrorKind.Unreachable), (superseded.SetpointKw, superseded.ErrorKind));
        var current = Assert.Single(journal.Setpoints("r1"));
        Assert.Equal((SetpointStatus.Intended, (DeviceErrorKind?)null), (current.Status, current.ErrorKind));
    }

    [Fact]
    public void A_journal_of_a_newer_gateway_is_refused_naming_both_versions()
    {
        using (RoundJournal.Open(DbPath, _clock)) { }
        Execute("UPDATE journal_meta SET value = '99' WHERE key = 'schema'");

        var error = Assert.Throws<InvalidDataException>(() => RoundJournal.Open(DbPath, _clock));
        Assert.Contains("schema version 99", error.Message);
        Assert.Contains($"this gateway's {JournalMigrations.Current}", error.Message);
    }

    private void WriteFirstReleaseJournal() => Execute(FirstReleaseSchema);

    private void Execute(string sql)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DbPath, Pooling = false }.ToString());
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    private string? Meta(string key)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DbPath, Pooling = false }.ToString());
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT value FROM journal_meta WHERE key = $k";
        cmd.Parameters.AddWithValue("$k", key);
        return cmd.ExecuteScalar() as string;
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
