using System.Text.Json;
using Gateway.Runtime.Devices;
using Gateway.Runtime.Journal;
using Gateway.Runtime.Ledger;
using Gateway.Runtime.Operator;
using Gateway.Rigs;
using Gateway.Runtime.Safety;
using Gateway.Runtime.Scheduling;
using Gateway.Runtime.Status;
using Gateway.LedgerClient;
using Gateway.LedgerClient.Outbox;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gateway.Runtime.Worker;

/// <summary>
/// A running gateway for one rig: the Generic Host composed by <see cref="GatewayServices"/> (device links, poller,
/// journal, market core, ledger with its outbox dispatcher, the status board operators read, and the background
/// services), and the round loop's steps: <see cref="TickAsync"/> runs the next market round.
/// </summary>
/// <remarks>Public: <c>gateway run</c> (in the executable) starts, awaits and drains a gateway through it; the rest of its members are internal (tests and the bench drive rounds through InternalsVisibleTo).</remarks>
public sealed class GatewayRuntime : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly ILogger _logger;
    private readonly LedgerSet _ledgers;
    private readonly LockstepPlant? _lockstep;
    private DateTimeOffset? _lastTradedEnd;
    private string? _lastRoundId;
    // The end of the interval the last round closed by this process traded: the start of the next one, back to back.
    private DateTimeOffset? _closedHereUpTo;
    private string? _skipReason;

    private GatewayRuntime(IHost host, GatewayStartup startup)
    {
        _host = host;
        _ledgers = startup.Ledgers;
        _lockstep = startup.Lockstep;
        Rig = startup.Rig;
        Clock = startup.Clocks.Plant;
        WallClock = startup.Clocks.Wall;
        var services = host.Services;
        _logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("gateway");
        // Built here, in this order, so that the container disposes them in the reverse one (a link before its
        // connector, the runner's interlock before the links it zeroes).
        Board = services.GetRequiredService<GatewayStatusBoard>();
        services.GetRequiredService<DeviceConnector>();
        Links = services.GetRequiredService<DeviceLinks>();
        Journal = services.GetRequiredService<RoundJournal>();
        Dispatcher = services.GetRequiredService<OutboxDispatcher>();
        services.GetRequiredService<MeasurementLog>();
        Poller = services.GetRequiredService<DevicePoller>();
        Interlock = services.GetService<SafetyInterlock>();
        Runner = services.GetRequiredService<RoundRunner>();
        Board.AckRecorder = services.GetRequiredService<OperatorAckJournal>().Record;
        _lastTradedEnd = Journal.LastIntervalEnd();
        startup.Runtime = this;
    }

    /// <summary>The rig the gateway runs.</summary>
    internal RigDefinition Rig { get; }

    /// <summary>
    /// The plant's clock: market intervals, polling and setpoint validity run on it. Accelerated
    /// on simulated rigs, so that a bench trades an hour of market in seconds.
    /// </summary>
    internal TimeProvider Clock { get; }

    /// <summary>
    /// Wall time, for everything that reaches the outside world: ledger proposals and their
    /// deadlines, the outbox's retries and backlog age. A real peer must never see a 60 s deadline
    /// fire in a third of a second because the plant runs at ×180.
    /// </summary>
    internal TimeProvider WallClock { get; }

    /// <summary>Every device link.</summary>
    internal IReadOnlyList<DeviceLink> Links { get; }

    /// <summary>The round journal.</summary>
    internal RoundJournal Journal { get; }

    /// <summary>Drains settlements to the ledger.</summary>
    internal OutboxDispatcher Dispatcher { get; }

    /// <summary>What operators see.</summary>
    internal GatewayStatusBoard Board { get; }

    /// <summary>Polls the devices.</summary>
    internal DevicePoller Poller { get; }

    /// <summary>Runs rounds.</summary>
    internal RoundRunner Runner { get; }

    /// <summary>The bench's e-stop interlock (null: the rig has no safety section).</summary>
    internal SafetyInterlock? Interlock { get; }

    /// <summary>The ledger settlements go to (the main chain).</summary>
    internal ISettlementLedger Ledger => _ledgers.Settlements;

    /// <summary>The three streams' ledgers.</summary>
    internal LedgerSet Ledgers => _ledgers;

    /// <summary>
    /// Settlements as the main chain commits them (Fabric: the Gateway's ChaincodeEvents; embedded: new blocks), for
    /// <c>gateway ledger follow</c> and the dashboard's ledger card; <see cref="StreamBacklogsAsync"/> gives the counts.
    /// </summary>
    internal ISettlementFeed LedgerFeed => _ledgers.Feed;

    /// <summary>Committed, pending and dead-lettered counts of each stream, read from the journal's outbox tables.</summary>
    public Task<IReadOnlyDictionary<LedgerStream, OutboxBacklog>> StreamBacklogsAsync(CancellationToken cancellationToken = default) =>
        Dispatcher.GetStreamBacklogsAsync(cancellationToken);

    /// <summary>
    /// Open everything for <paramref name="rig"/>. <paramref name="endpointOverrides"/> replaces
    /// device endpoints by device id (e.g. the ports a simulator picked); <paramref name="clock"/>
    /// overrides the rig's plant clock and <paramref name="wallClock"/> wall time (tests).
    /// </summary>
    /// <remarks>
    /// With <paramref name="lockstep"/> the plant clock is the lockstep plant's: nothing polls in the background, and
    /// <see cref="TickAsync"/> steps simulators and clock through each round (<see cref="LockstepPlant"/>).
    /// </remarks>
    internal static async Task<GatewayRuntime> StartAsync(RigDefinition rig, ILoggerFactory loggers, IReadOnlyDictionary<string, string>? endpointOverrides = null,
        TimeProvider? clock = null, DevicePollerOptions? pollerOptions = null, TimeProvider? wallClock = null, CancellationToken cancellationToken = default,
        LockstepPlant? lockstep = null,
        LabHardware? labHardware = null) =>
        await StartAsync(rig, loggers, endpointOverrides, clock, pollerOptions, wallClock, lockstep, labHardware, roundLoop: null, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Open everything for <paramref name="rig"/> and run its rounds as a hosted service until <paramref name="roundLoop"/>'s
    /// count or its first signal: <c>gateway run</c>. Public because the verb is in the executable, which composes the
    /// gateway through this one call; <paramref name="clock"/> is the plant clock it agreed with the simulators (null: the
    /// rig's), <paramref name="lockstep"/> the stepped simulators' clock (<c>--lockstep</c>).
    /// </summary>
    public static Task<GatewayRuntime> StartAsync(RigDefinition rig, ILoggerFactory loggers, RoundLoopOptions roundLoop,
        IReadOnlyDictionary<string, string>? endpointOverrides, TimeProvider? clock, LockstepPlant? lockstep, CancellationToken cancellationToken) =>
        StartAsync(rig, loggers, endpointOverrides, clock, pollerOptions: null, wallClock: null, lockstep, labHardware: null, roundLoop, cancellationToken);

    /// <summary>Open everything for <paramref name="rig"/> as <c>gateway run</c> does: with <paramref name="roundLoop"/>, the rounds run as a hosted service.</summary>
    internal static async Task<GatewayRuntime> StartAsync(RigDefinition rig, ILoggerFactory loggers, IReadOnlyDictionary<string, string>? endpointOverrides,
        TimeProvider? clock, DevicePollerOptions? pollerOptions, TimeProvider? wallClock, LockstepPlant? lockstep, LabHardware? labHardware, RoundLoopOptions? roundLoop,
        CancellationToken cancellationToken)
    {
        wallClock ??= TimeProvider.System;
        if (lockstep is not null) clock = lockstep.Clock;
        clock ??= rig.StartUtc is { } start ? new AcceleratedTimeProvider(start, rig.TimeScale) : wallClock;
        var logger = loggers.CreateLogger("gateway");
        // Opened before the container: the outbox's tables and the ledgers need I/O a constructor must not do.
        await using (var schema = new SqliteConnection(OutboxDispatchService.JournalConnectionString(rig.JournalPath)))
        {
            await schema.OpenAsync(cancellationToken).ConfigureAwait(false);
            await SettlementOutbox.EnsureSchemaAsync(schema, cancellationToken).ConfigureAwait(false);
        }
        var ledgers = await LedgerSet.OpenAsync(rig.Ledger, wallClock, loggers, cancellationToken).ConfigureAwait(false);
        // The TLS handshake with the peer now, not inside the first round's commit.
        if (ledgers.Connection is { } fabric) _ = fabric.TryConnectAsync(cancellationToken);
        var startup = new GatewayStartup(rig, new GatewayClocks(clock, wallClock), ledgers, loggers, endpointOverrides, pollerOptions ?? new DevicePollerOptions(),
            labHardware ?? LabHardware.Kernel, lockstep) { RoundLoop = roundLoop };
        var host = GatewayServices.Build(startup);
        GatewayRuntime runtime;
        try
        {
            runtime = new GatewayRuntime(host, startup);
        }
        catch
        {
            await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
            await DisposeHostAsync(host).ConfigureAwait(false);
            await ledgers.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        logger.LogInformation("ledger: {Ledger}; journal epoch {Epoch}", ledgers.Description, runtime.Journal.Epoch);
        try
        {
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await runtime.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return runtime;
    }

    /// <summary>The round loop, when the runtime was started with one (<c>gateway run</c>).</summary>
    internal RoundLoopService? RoundLoop => _host.Services.GetService<RoundLoopService>();

    /// <summary>
    /// Completes when the round loop ended (its round count, or the first signal); completed at once without a loop. The
    /// verb awaits it before it drains the outbox; the loop service itself stays internal.
    /// </summary>
    public Task RoundLoopCompletion => RoundLoop?.Completion ?? Task.CompletedTask;

    /// <summary>
    /// Every device's link and last measurements as the status board has them, for <c>gateway run</c>'s device table:
    /// the one piece of the board the executable reads, so the board and its snapshot stay internal.
    /// </summary>
    public IReadOnlyList<DeviceHealth> DeviceHealth() => Board.Snapshot().Devices;

    /// <summary>The dashboard's address, when the rig asks for one.</summary>
    public Uri? DashboardUrl => _host.Services.GetService<DashboardService>()?.Server?.Url;

    /// <summary>What the dashboard listens with, from the rig.</summary>
    internal static DashboardOptions DashboardOptionsOf(RigOperator op) => DashboardService.OptionsOf(op);

    /// <summary>Messages published to the operators' broker so far (0 when none is configured).</summary>
    internal long OperatorMessagesPublished => _host.Services.GetService<OperatorPublishingService>()?.Published ?? 0;

    /// <summary>Read endpoint overrides from a device-sims <c>--endpoints-out</c> file: [{id, uri}, …].</summary>
    public static IReadOnlyDictionary<string, string> ReadEndpointsFile(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var e in doc.RootElement.EnumerateArray())
        {
            var id = e.GetProperty("id").GetString();
            var uri = e.GetProperty("uri").GetString();
            if (id is null || uri is null) continue;
            result[id] = uri.Contains("://", StringComparison.Ordinal) ? new Uri(uri).Authority is { Length: > 0 } a ? a : uri : uri;
        }
        return result;
    }

    /// <summary>Wait until every device has been polled once (or <paramref name="timeout"/> of real time passed).</summary>
    internal async Task WaitForFirstPollAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        if (_lockstep is not null)
        {
            await _lockstep.PollAllAsync(this, cancellationToken).ConfigureAwait(false);
            return;
        }

        var until = TimeProvider.System.GetTimestamp() + (long)(timeout.TotalSeconds * TimeProvider.System.TimestampFrequency);
        while (Links.Any(l => l.State == DeviceLinkState.Unknown) && TimeProvider.System.GetTimestamp() < until)
            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Finish the rounds a previous run left open (after a crash), oldest first.</summary>
    internal async Task<IReadOnlyList<RoundOutcome>> ResumeOpenRoundsAsync(CancellationToken cancellationToken = default, CancellationToken parkToken = default)
    {
        var outcomes = new List<RoundOutcome>();
        foreach (var open in Journal.OpenRounds())
        {
            if (parkToken.IsCancellationRequested) break;
            _logger.LogInformation("resuming round {Round} from {State}", open.RoundId, open.State);
            outcomes.Add(_lockstep is not null
                ? await _lockstep.RunRoundAsync(this, open.IntervalStartUtc, cancellationToken).ConfigureAwait(false)
                : await Runner.RunAsync(open.IntervalStartUtc, cancellationToken, parkToken).ConfigureAwait(false));
        }
        return outcomes;
    }

    /// <summary>
    /// The start of the interval the next round trades: the current one if little of it has passed (a tenth, or half when
    /// this process's previous round closed the interval right before it: back to back, that round's own close — the
    /// meters read at the boundary, the settlement — is what made this one late, and a thousand devices take seconds to
    /// meter), otherwise the next one; never one the journal already closed.
    /// </summary>
    internal DateTimeOffset NextIntervalStart()
    {
        var interval = Rig.Market.Interval;
        var now = Clock.GetUtcNow();
        var current = new DateTimeOffset(now.UtcTicks - now.UtcTicks % interval.Ticks, TimeSpan.Zero);
        var grace = _closedHereUpTo == current ? interval / 2 : interval / 10;
        var start = now - current <= grace ? current : current + interval;
        while (Journal.StateOf(Runner.Planner.RoundId(start)) is RoundState.Closed or RoundState.Interrupted) start += interval;
        return start;
    }

    /// <summary>
    /// Run the next market round (waiting for its interval to begin if needed). Intervals between the previous round and
    /// this one that were never traded come back in <see cref="RoundOutcome.SkippedBefore"/>, each with the reason, and are
    /// shown to operators as skipped rows. <paramref name="parkToken"/> asks the round to stop early (see <see cref="RoundRunner.RunAsync"/>).
    /// </summary>
    internal async Task<RoundOutcome> TickAsync(CancellationToken cancellationToken = default, CancellationToken parkToken = default)
    {
        if (Interlock is { IsTripped: true } interlock)
        {
            // Nothing is traded while the bench is stopped; the intervals it misses are reported as skipped, with why.
            _logger.LogWarning("emergency stop {TripId}: waiting for the loop to close and an operator to acknowledge before the next round", interlock.TripId);
            using var waitArmed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, parkToken);
            var tripId = interlock.TripId;
            await interlock.WhenArmedAsync(waitArmed.Token).ConfigureAwait(false);
            _skipReason = $"emergency stop {tripId}: the bench was stopped until an operator acknowledged";
        }
        var start = NextIntervalStart();
        var skipped = SkippedBefore(start);
        foreach (var row in skipped) Board.Report(row);
        RoundOutcome outcome;
        if (_lockstep is not null)
        {
            // Stepping to the interval's start is where a stop is honoured; the round itself then runs to its end, which
            // in lockstep takes no wall time of waiting (nothing to park: the simulators' day would not resume).
            await _lockstep.AdvanceToAsync(this, start, cancellationToken, parkToken).ConfigureAwait(false);
            outcome = await _lockstep.RunRoundAsync(this, start, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            var wait = start - Clock.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, parkToken);
                await Task.Delay(wait, Clock, linked.Token).ConfigureAwait(false);
            }
            outcome = await Runner.RunAsync(start, cancellationToken, parkToken).ConfigureAwait(false);
        }
        _lastTradedEnd = start + Rig.Market.Interval;
        _lastRoundId = outcome.RoundId;
        _closedHereUpTo = outcome.Parked || outcome.Interrupted ? null : _lastTradedEnd;
        _skipReason = null;
        return outcome with { SkippedBefore = skipped };
    }

    /// <summary>
    /// Wait on the plant clock until <paramref name="time"/> (after a round that failed, for the next interval): in lockstep
    /// the simulators and the clock are stepped there, polling on the way; otherwise a delay on the plant clock.
    /// </summary>
    internal async Task WaitUntilAsync(DateTimeOffset time, CancellationToken cancellationToken = default)
    {
        if (_lockstep is not null)
        {
            await _lockstep.AdvanceToAsync(this, time, cancellationToken, cancellationToken).ConfigureAwait(false);
            return;
        }
        var wait = time - Clock.GetUtcNow();
        if (wait > TimeSpan.Zero) await Task.Delay(wait, Clock, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Record a round that ended in an error: its interval counts as traded-and-failed, not skipped.</summary>
    internal void RecordFailedInterval(DateTimeOffset intervalStart)
    {
        _lastTradedEnd = intervalStart + Rig.Market.Interval;
        _lastRoundId = Runner.Planner.RoundId(intervalStart);
    }

    private IReadOnlyList<RoundSummary> SkippedBefore(DateTimeOffset start)
    {
        if (_lastTradedEnd is not { } from || from >= start) return [];
        var interval = Rig.Market.Interval;
        var count = (int)Math.Min(96, (start - from).Ticks / interval.Ticks);
        // A gap of more than a day since an old run is history, not a skipped interval of this run.
        if ((start - from).Ticks / interval.Ticks > 96) return [];
        var why = _skipReason is { } stopped ? stopped : _lastRoundId is { } previous
            ? $"the round before ({previous}) ended at {Clock.GetUtcNow():HH:mm:ss}, past the first {(_closedHereUpTo == from ? "half" : "tenth")} of this interval (a slow device, a long dispatch or a late acknowledgement)"
            : "the gateway was not running when this interval began (stopped or restarting)";
        var rows = new List<RoundSummary>();
        for (var i = 0; i < count; i++)
        {
            var s = from + interval * i;
            var id = Runner.Planner.RoundId(s);
            if (Journal.StateOf(id) is not null) continue;
            rows.Add(RoundSummary.Skipped(id, s, s + interval, why));
            _logger.LogWarning("interval {Round} skipped: {Why}", id, why);
        }
        return rows;
    }

    /// <summary>
    /// Wait until every stream's outbox is empty (settlements and both side chains) or <paramref name="timeout"/> of real
    /// time passed; returns the settlements' backlog then (<see cref="StreamBacklogsAsync"/> has the side chains').
    /// </summary>
    public async Task<OutboxBacklog> DrainLedgerAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var until = TimeProvider.System.GetTimestamp() + (long)(timeout.TotalSeconds * TimeProvider.System.TimestampFrequency);
        while (true)
        {
            Dispatcher.Notify();
            var backlogs = await Dispatcher.GetStreamBacklogsAsync(cancellationToken).ConfigureAwait(false);
            if (backlogs.Values.All(b => b.IsEmpty) || TimeProvider.System.GetTimestamp() >= until)
                return await ReadBacklogAsync(cancellationToken).ConfigureAwait(false);
            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
    }

    private Task<OutboxBacklog> ReadBacklogAsync(CancellationToken cancellationToken) =>
        OutboxDispatchService.ReadBacklogAsync(Rig.JournalPath, WallClock, cancellationToken);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        // The hosted services stop in reverse: the background loops, the operator publisher (drained, bounded), the
        // dashboard, and last the interlock, which opens the contactor: a stopped gateway leaves the bench disconnected.
        await _host.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await DisposeHostAsync(_host).ConfigureAwait(false);
        if (_lockstep is not null) await _lockstep.DisposeAsync().ConfigureAwait(false);
        await _ledgers.DisposeAsync().ConfigureAwait(false);
    }

    private static async ValueTask DisposeHostAsync(IHost host)
    {
        if (host is IAsyncDisposable disposable) await disposable.DisposeAsync().ConfigureAwait(false);
        else host.Dispose();
    }
}
