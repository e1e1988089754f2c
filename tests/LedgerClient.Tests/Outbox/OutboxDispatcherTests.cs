using Gateway.LedgerClient.Embedded;
using Gateway.LedgerClient.Outbox;
using Gateway.LedgerClient.Tests.Embedded;
using Gateway.Testing;
using Microsoft.Extensions.Logging;

namespace Gateway.LedgerClient.Tests.Outbox;

public sealed class OutboxDispatcherTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _clock = TestClocks.New();
    private readonly TestJournal _journal;
    private EmbeddedLedger _ledger = null!;
    private SwitchableLedger _switchable = null!;

    public OutboxDispatcherTests()
    {
        _journal = new TestJournal(_dir.File("journal.db"), _clock);
    }

    public async Task InitializeAsync()
    {
        _ledger = await EmbeddedLedger.OpenAsync(_dir.File("ledger.db"), _clock);
        _switchable = new SwitchableLedger(_ledger);
    }

    public async Task DisposeAsync()
    {
        await _ledger.DisposeAsync();
        _dir.Dispose();
    }

    // No retry delay so a tick never waits on the manual clock; the breaker still counts.
    private static OutboxDispatcherOptions FastOptions(bool batches = true) => new()
    {
        UseBatchCommits = batches,
        BatchSize = 100,
        MaxRetryAttempts = 2,
        RetryBaseDelay = TimeSpan.Zero,
        RetryMaxDelay = TimeSpan.Zero,
        BreakerMinimumThroughput = 6,
        BreakerSamplingDuration = TimeSpan.FromMinutes(10),
        BreakerBreakDuration = TimeSpan.FromSeconds(30),
    };

    private OutboxDispatcher Dispatcher(OutboxDispatcherOptions? options = null, TimeProvider? time = null) =>
        new(_journal.ConnectionString, _switchable, options ?? FastOptions(), time ?? _clock);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Tick_commits_pending_rows_in_order_and_records_where_they_landed(bool batches)
    {
        await _journal.RecordRoundAsync("r-1", TestSettlements.Round("r-1", 4));
        await _journal.RecordRoundAsync("r-2", TestSettlements.Round("r-2", 3));

        var result = await Dispatcher(FastOptions(batches)).TickAsync();

        Assert.Equal(new OutboxTickResult(7, 0, 0, null), result);
        var entries = await _journal.EntriesAsync();
        Assert.All(entries, e => Assert.Equal((OutboxEntryState.Committed, LedgerCommitOutcome.Committed), (e.State, e.Outcome!.Value)));
        Assert.Equal(batches ? Enumerable.Repeat(1L, 7) : Enumerable.Range(1, 7).Select(n => (long)n), entries.Select(e => e.BlockNumber!.Value));
        Assert.Equal(TestSettlements.Round("r-1", 4), await _ledger.QueryRoundAsync("r-1"));
        Assert.True((await _journal.BacklogAsync()).IsEmpty);
        Assert.Equal(new OutboxTickResult(0, 0, 0, null), await Dispatcher().TickAsync());
    }

    [Fact]
    public async Task Ledger_down_for_an_hour_loses_nothing_and_the_backlog_drains_when_it_returns()
    {
        var dispatcher = Dispatcher();
        _switchable.Down = true;
        for (var round = 0; round < 12; round++)
        {
            await _journal.RecordRoundAsync($"r-{round}", TestSettlements.Round($"r-{round}", 5));
            var tick = await dispatcher.TickAsync();
            Assert.NotNull(tick.LedgerError);
            Assert.Equal(0, tick.Processed);
            _clock.Advance(TimeSpan.FromMinutes(5));
        }

        var backlog = await dispatcher.GetBacklogAsync();
        Assert.Equal(60, backlog.PendingCount);
        Assert.Equal(TimeSpan.FromHours(1), backlog.OldestPendingAge);
        Assert.True(backlog.LastError?.Contains("ledger down"), backlog.LastError);
        Assert.Equal(backlog, dispatcher.LastBacklog);
        Assert.Equal(0, await _ledger.CountSettlementsAsync());

        // A last try while still down re-opens the breaker; when the ledger is back it refuses
        // calls until the break is over, then the whole backlog goes through.
        Assert.NotNull((await dispatcher.TickAsync()).LedgerError);
        _switchable.Down = false;
        var first = await dispatcher.TickAsync();
        Assert.Contains("circuit open", first.LedgerError);
        _clock.Advance(TimeSpan.FromSeconds(30));
        var drained = await dispatcher.TickAsync();

        Assert.Equal(new OutboxTickResult(60, 0, 0, null), drained);
        Assert.True((await dispatcher.GetBacklogAsync()).IsEmpty);
        Assert.Equal(60, await _ledger.CountSettlementsAsync());
        Assert.True((await EmbeddedLedgerVerifier.VerifyAsync(_ledger.DatabasePath)).IsIntact);
        // Failed ticks are charged to every row of the batch at the head of the queue (a batch fails as a whole): the first
        // round's rows saw 12 rounds + 1 retry while down + 1 refused by the open circuit, the last round's only the last two.
        var attempts = (await _journal.EntriesAsync()).Select(e => e.FailedAttempts).ToList();
        Assert.Equal([14, 14, 14, 14, 14], attempts.Take(5));
        Assert.Equal([3, 3, 3, 3, 3], attempts.TakeLast(5));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_lost_answer_is_retried_and_recognised_as_already_committed(bool batches)
    {
        await _journal.RecordRoundAsync("r-1", TestSettlements.Round("r-1", 3));
        _switchable.LoseNextAnswers = 1;

        var result = await Dispatcher(FastOptions(batches)).TickAsync();

        Assert.Null(result.LedgerError);
        Assert.Equal(batches ? new OutboxTickResult(0, 3, 0, null) : new OutboxTickResult(2, 1, 0, null), result);
        Assert.Equal(LedgerCommitOutcome.AlreadyCommitted, (await _journal.EntriesAsync())[0].Outcome);
        Assert.Equal(3, await _ledger.CountSettlementsAsync());
    }

    [Fact]
    public async Task A_call_that_times_out_after_committing_is_retried_without_a_second_copy()
    {
        await _journal.RecordRoundAsync("r-1", TestSettlements.Round("r-1", 1));
        _switchable.HangAfterNextCommits = 1;
        var options = FastOptions();
        options.AttemptTimeout = TimeSpan.FromMilliseconds(50);

        // On the fake clock: the attempt times out when the test says so, once the commit is on the ledger and its answer
        // hangs, so a loaded machine cannot time out the retry as well.
        var tick = Dispatcher(options).TickAsync();
        await Waits.UntilAsync(async () => tick.IsCompleted || await _ledger.CountSettlementsAsync() == 1, () => "the first commit reaches the ledger");
        _clock.Advance(options.AttemptTimeout);
        var result = await tick;

        Assert.Equal(new OutboxTickResult(0, 1, 0, null), result);
        Assert.Equal(2, _switchable.Calls);
        Assert.Equal(1, await _ledger.CountSettlementsAsync());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_conflicting_settlement_is_dead_lettered_with_the_reason_and_does_not_block_the_rest(bool batches)
    {
        var round = TestSettlements.Round("r-1", 4);
        await _ledger.CommitAsync(round[1] with { PayeeId = "smes" });
        await _journal.RecordRoundAsync("r-1", round);

        var result = await Dispatcher(FastOptions(batches)).TickAsync();

        Assert.Equal(new OutboxTickResult(3, 0, 1, null), result);
        var dead = Assert.Single(await _journal.EntriesAsync(OutboxEntryState.DeadLettered));
        Assert.Equal(round[1].SettlementId, dead.Settlement.SettlementId);
        Assert.Contains("already on the ledger in block 1 with different content", dead.LastError);
        var backlog = await _journal.BacklogAsync();
        Assert.Equal((0L, 1L, 3L), (backlog.PendingCount, backlog.DeadLetterCount, backlog.CommittedCount));
    }

    [Fact]
    public async Task Run_loop_drains_on_notify_and_stops_on_cancellation()
    {
        var options = FastOptions();
        options.PollInterval = TimeSpan.FromMinutes(10);
        var dispatcher = Dispatcher(options, TimeProvider.System);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var loop = dispatcher.RunAsync(stop.Token);

        await _journal.RecordRoundAsync("r-1", TestSettlements.Round("r-1", 3));
        dispatcher.Notify();
        while ((await _journal.BacklogAsync()).PendingCount > 0) await Task.Delay(10, stop.Token);

        await stop.CancelAsync();
        await loop.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(3, await _ledger.CountSettlementsAsync());
    }

    [Fact]
    public async Task Run_loop_keeps_going_when_a_tick_fails_and_delivers_once_the_journal_is_usable()
    {
        // The journal has no outbox table yet: every tick throws. The loop must log and carry on.
        var journalPath = _dir.File("late-journal.db");
        var logger = new RecordingLogger<OutboxDispatcher>();
        var options = FastOptions();
        options.PollInterval = TimeSpan.FromMilliseconds(20);
        var dispatcher = new OutboxDispatcher($"Data Source={journalPath}", _switchable, options, TimeProvider.System, logger);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var loop = dispatcher.RunAsync(stop.Token);
        while (logger.Entries.Count(e => e.Level == LogLevel.Error) < 2) await Task.Delay(10, stop.Token);
        Assert.False(loop.IsCompleted);

        var journal = new TestJournal(journalPath, _clock);
        await journal.RecordRoundAsync("r-1", TestSettlements.Round("r-1", 4));
        dispatcher.Notify();
        while ((await journal.BacklogAsync()).PendingCount > 0) await Task.Delay(10, stop.Token);

        await stop.CancelAsync();
        await loop.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(4, await _ledger.CountSettlementsAsync());
        Assert.Contains(logger.Entries, e => e.Message.Contains("Settlement outbox tick failed"));
    }

    [Fact]
    public async Task Outage_is_logged_with_the_backlog_and_so_is_the_recovery()
    {
        var logger = new RecordingLogger<OutboxDispatcher>();
        var dispatcher = new OutboxDispatcher(_journal.ConnectionString, _switchable, FastOptions(), _clock, logger);
        _switchable.Down = true;
        await _journal.RecordRoundAsync("r-1", TestSettlements.Round("r-1", 3));
        await dispatcher.TickAsync();
        _clock.Advance(TimeSpan.FromSeconds(10));
        await dispatcher.TickAsync(); // within a minute of the first warning: not repeated
        _switchable.Down = false;
        _clock.Advance(TimeSpan.FromMinutes(1));
        await dispatcher.TickAsync();

        var warning = Assert.Single(logger.Entries, e => e.Level == LogLevel.Warning);
        Assert.Contains("Ledger unavailable since", warning.Message);
        Assert.Contains("Backlog: 3 settlements pending", warning.Message);
        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Information && e.Message.Contains("Ledger answering again after"));
    }

    [Fact]
    public void Invalid_options_are_refused_naming_each_one()
    {
        var e = Assert.Throws<ArgumentException>(() => Dispatcher(new OutboxDispatcherOptions
        {
            BatchSize = 0,
            MaxRetryAttempts = 0,
            BreakerFailureRatio = 1.5,
            RetryBaseDelay = TimeSpan.FromSeconds(5),
            RetryMaxDelay = TimeSpan.FromSeconds(1),
        }));
        Assert.Contains("BatchSize must be 1–10000 (is 0)", e.Message);
        Assert.Contains("MaxRetryAttempts must be 1–100 (is 0)", e.Message);
        Assert.Contains("BreakerFailureRatio must be in (0, 1] (is 1.5)", e.Message);
        Assert.Contains("RetryMaxDelay must be RetryBaseDelay – 10 min", e.Message);
    }
}
