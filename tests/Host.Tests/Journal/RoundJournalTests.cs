using Gateway.Runtime.Journal;
using Gateway.Testing;

namespace Gateway.Host.Tests.Journal;

public sealed class RoundJournalTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("journal-").FullName;
    private readonly FakeTimeProvider _clock = TestClocks.New();
    private readonly DateTimeOffset _start = new(2026, 6, 1, 10, 0, 0, TimeSpan.Zero);

    private string DbPath => Path.Combine(_dir, "journal.db");

    [Fact]
    public void A_round_survives_reopening_with_its_setpoints_and_state()
    {
        using (var journal = RoundJournal.Open(DbPath, _clock))
        {
            Assert.True(journal.BeginRound("r1", _start, _start.AddHours(1), "{\"in\":1}", "{\"out\":1}"));
            journal.Advance("r1", RoundState.Dispatching);
            journal.RecordSetpointIntent("r1", "ev01", 7.4, _start.AddMinutes(5));
            journal.RecordSetpointIntent("r1", "pv01", -3.0, _start.AddMinutes(5));
            journal.RecordSetpointOutcome("r1", "ev01", SetpointStatus.Confirmed, 7.4, null);
        }

        using var reopened = RoundJournal.Open(DbPath, _clock);
        var round = Assert.Single(reopened.OpenRounds());
        Assert.Equal(RoundState.Dispatching, round.State);
        Assert.Equal("{\"out\":1}", round.DecisionJson);
        var setpoints = reopened.Setpoints("r1");
        Assert.Equal(SetpointStatus.Confirmed, setpoints.Single(s => s.DeviceId == "ev01").Status);
        Assert.Equal(SetpointStatus.Intended, setpoints.Single(s => s.DeviceId == "pv01").Status);
    }

    [Fact]
    public void The_state_of_a_round_and_the_last_interval_are_read_without_the_round_itself()
    {
        using var journal = RoundJournal.Open(DbPath, _clock);
        Assert.Null(journal.StateOf("r1"));
        Assert.Null(journal.LastIntervalEnd());
        journal.BeginRound("r2", _start.AddHours(1), _start.AddHours(2), "{}", "{}");
        journal.BeginRound("r1", _start, _start.AddHours(1), "{}", "{}");
        journal.Advance("r1", RoundState.Delivering);

        Assert.Equal(RoundState.Delivering, journal.StateOf("r1"));
        Assert.Equal(RoundState.Decided, journal.StateOf("r2"));
        Assert.Equal(_start.AddHours(2), journal.LastIntervalEnd());
    }

    [Fact]
    public void Beginning_a_journaled_round_again_keeps_the_first_decision()
    {
        using var journal = RoundJournal.Open(DbPath, _clock);
        Assert.True(journal.BeginRound("r1", _start, _start.AddHours(1), "{}", "{\"first\":true}"));
        Assert.False(journal.BeginRound("r1", _start, _start.AddHours(1), "{}", "{\"second\":true}"));
        Assert.Equal("{\"first\":true}", journal.Get("r1")!.DecisionJson);
    }

    [Fact]
    public void A_round_never_moves_backwards()
    {
        using var journal = RoundJournal.Open(DbPath, _clock);
        journal.BeginRound("r1", _start, _start.AddHours(1), "{}", "{}");
        journal.Advance("r1", RoundState.Metered);
        var error = Assert.Throws<InvalidOperationException>(() => journal.Advance("r1", RoundState.Dispatching));
        Assert.Contains("already Metered", error.Message);
    }

    [Fact]
    public async Task Settling_runs_the_outbox_write_in_the_same_transaction_and_only_once()
    {
        using var journal = RoundJournal.Open(DbPath, _clock);
        journal.WithTransaction((c, tx) =>
        {
            using var cmd = c.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = "CREATE TABLE IF NOT EXISTS fake_outbox (id TEXT PRIMARY KEY)";
            cmd.ExecuteNonQuery();
        });
        journal.BeginRound("r1", _start, _start.AddHours(1), "{}", "{}");
        var calls = 0;
        Task Enqueue(Microsoft.Data.Sqlite.SqliteConnection c, Microsoft.Data.Sqlite.SqliteTransaction tx)
        {
            calls++;
            using var cmd = c.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = "INSERT INTO fake_outbox(id) VALUES ('s1')";
            cmd.ExecuteNonQuery();
            return Task.CompletedTask;
        }

        Assert.True(await journal.SettleAsync("r1", "{\"settled\":1}", Enqueue));
        Assert.False(await journal.SettleAsync("r1", "{\"settled\":2}", Enqueue));
        Assert.Equal(1, calls);
        Assert.Equal(RoundState.Settled, journal.Get("r1")!.State);
        Assert.Equal("{\"settled\":1}", journal.Get("r1")!.ResultJson);
    }

    [Fact]
    public async Task A_failing_outbox_write_leaves_the_round_unsettled()
    {
        using var journal = RoundJournal.Open(DbPath, _clock);
        journal.BeginRound("r1", _start, _start.AddHours(1), "{}", "{}");
        await Assert.ThrowsAsync<IOException>(() => journal.SettleAsync("r1", "{}", (_, _) => throw new IOException("disk full")));
        Assert.Equal(RoundState.Decided, journal.Get("r1")!.State);
    }

    [Fact]
    public void The_first_meter_reading_of_a_phase_wins()
    {
        using var journal = RoundJournal.Open(DbPath, _clock);
        journal.BeginRound("r1", _start, _start.AddHours(1), "{}", "{}");
        journal.RecordMeterReading("r1", "ev01", MeterPhase.Start, 10.0);
        journal.RecordMeterReading("r1", "ev01", MeterPhase.Start, 11.0);
        journal.RecordMeterReading("r1", "ev01", MeterPhase.End, 17.4);
        Assert.Equal(10.0, journal.MeterReadings("r1", MeterPhase.Start)["ev01"]);
        Assert.Equal(17.4, journal.MeterReadings("r1", MeterPhase.End)["ev01"]);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
