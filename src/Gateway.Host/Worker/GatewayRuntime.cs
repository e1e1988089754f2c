using System.Text.Json;
using Gateway.Drivers.Mqtt;
using Gateway.Host.Devices;
using Gateway.Host.Operator;
using Gateway.Host.Journal;
using Gateway.Host.Ledger;
using Gateway.Host.Rigs;
using Gateway.Host.Safety;
using Gateway.Host.Scheduling;
using Gateway.Host.Status;
using Gateway.LedgerClient;
using Gateway.LedgerClient.Embedded;
using Gateway.LedgerClient.Fabric;
using Gateway.LedgerClient.Outbox;
using Gateway.Market;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Gateway.Host.Worker;

/// <summary>
/// Everything a running gateway holds for one rig: clock, device links, poller, journal, market
/// core, ledger with its outbox dispatcher, and the status board operators read. Built once at
/// start from a checked rig; <see cref="TickAsync"/> runs the next market round.
/// </summary>
public sealed class GatewayRuntime : IAsyncDisposable
{
    private readonly CancellationTokenSource _background = new();
    private readonly List<Task> _backgroundTasks = new();
    private readonly DeviceConnector _connector;
    private readonly ILogger _logger;
    private readonly LedgerSet _ledgers;
    private readonly MeasurementLog _measurements;
    private DashboardServer? _dashboard;
    private MqttClient? _mqtt;
    private SqliteMqttOutboxStore? _mqttOutbox;
    private OperatorPublisher? _publisher;
    private LockstepPlant? _lockstep;
    private OperatorAckJournal? _ackJournal;
    private SafetyEventJournal? _safetyJournal;
    private Task _operatorConnect = Task.CompletedTask;
    private DateTimeOffset? _lastTradedEnd;
    private string? _lastRoundId;
    private string? _skipReason;

    private GatewayRuntime(RigDefinition rig, TimeProvider clock, TimeProvider wallClock, DeviceConnector connector, IReadOnlyList<DeviceLink> links, RoundJournal journal,
        LedgerSet ledgers, OutboxDispatcher dispatcher, GatewayStatusBoard board, DevicePoller poller, MeasurementLog measurements, RoundRunner runner, ILogger logger)
    {
        Rig = rig;
        Clock = clock;
        WallClock = wallClock;
        _connector = connector;
        Links = links;
        Journal = journal;
        _ledgers = ledgers;
        Dispatcher = dispatcher;
        Board = board;
        Poller = poller;
        _measurements = measurements;
        Runner = runner;
        _logger = logger;
    }

    /// <summary>The rig the gateway runs.</summary>
    public RigDefinition Rig { get; }

    /// <summary>
    /// The plant's clock: market intervals, polling and setpoint validity run on it. Accelerated
    /// on simulated rigs, so that a bench trades an hour of market in seconds.
    /// </summary>
    public TimeProvider Clock { get; }

    /// <summary>
    /// Wall time, for everything that reaches the outside world: ledger proposals and their
    /// deadlines, the outbox's retries and backlog age. A real peer must never see a 60 s deadline
    /// fire in a third of a second because the plant runs at ×180.
    /// </summary>
    public TimeProvider WallClock { get; }

    /// <summary>Every device link.</summary>
    public IReadOnlyList<DeviceLink> Links { get; }

    /// <summary>The round journal.</summary>
    public RoundJournal Journal { get; }

    /// <summary>Drains settlements to the ledger.</summary>
    public OutboxDispatcher Dispatcher { get; }

    /// <summary>What operators see.</summary>
    public GatewayStatusBoard Board { get; }

    /// <summary>Polls the devices.</summary>
    public DevicePoller Poller { get; }

    /// <summary>Runs rounds.</summary>
    public RoundRunner Runner { get; }

    /// <summary>The bench's e-stop interlock (null: the rig has no safety section).</summary>
    public SafetyInterlock? Interlock { get; private set; }

    /// <summary>The ledger settlements go to (the main chain).</summary>
    public ISettlementLedger Ledger => _ledgers.Settlements;

    /// <summary>The three streams' ledgers.</summary>
    public LedgerSet Ledgers => _ledgers;

    /// <summary>
    /// Settlements as the main chain commits them (Fabric: the Gateway's ChaincodeEvents; embedded: new blocks), for
    /// <c>gateway ledger follow</c> and the dashboard's ledger card; <see cref="StreamBacklogsAsync"/> gives the counts.
    /// </summary>
    public ISettlementFeed LedgerFeed => _ledgers.Feed;

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
    public static async Task<GatewayRuntime> StartAsync(RigDefinition rig, ILoggerFactory loggers, IReadOnlyDictionary<string, string>? endpointOverrides = null,
        TimeProvider? clock = null, DevicePollerOptions? pollerOptions = null, TimeProvider? wallClock = null, CancellationToken cancellationToken = default,
        LockstepPlant? lockstep = null,
        LabHardware? labHardware = null)
    {
        labHardware ??= LabHardware.Kernel;
        wallClock ??= TimeProvider.System;
        if (lockstep is not null) clock = lockstep.Clock;
        clock ??= rig.StartUtc is { } start ? new AcceleratedTimeProvider(start, rig.TimeScale) : wallClock;
        var logger = loggers.CreateLogger("gateway");
        var board = new GatewayStatusBoard(rig.SiteId, clock, wallClock) { TimeScale = rig.TimeScale, Feeder = Topology(rig) };
        var connector = new DeviceConnector(clock, siteId: rig.SiteId, brokers: rig.Broker, brokerChanged: board.Report, logger: logger, wallClock: wallClock)
        {
            I2cDevices = labHardware.OpenI2c,
        };
        var links = rig.Devices.Select(d => connector.Open(d, endpointOverrides?.GetValueOrDefault(d.Id))).ToList();
        var journal = RoundJournal.Open(rig.JournalPath, clock);
        var journalConnection = new SqliteConnectionStringBuilder { DataSource = rig.JournalPath, Pooling = false }.ToString();
        await using (var schema = new SqliteConnection(journalConnection))
        {
            await schema.OpenAsync(cancellationToken).ConfigureAwait(false);
            await SettlementOutbox.EnsureSchemaAsync(schema, cancellationToken).ConfigureAwait(false);
        }
        var ledgers = await LedgerSet.OpenAsync(rig.Ledger, wallClock, loggers, cancellationToken).ConfigureAwait(false);
        logger.LogInformation("ledger: {Ledger}; journal epoch {Epoch}", ledgers.Description, journal.Epoch);
        // The TLS handshake with the peer now, not inside the first round's commit.
        if (ledgers.Connection is { } fabric) _ = fabric.TryConnectAsync(cancellationToken);
        var dispatcher = ledgers.CreateDispatcher(journalConnection, new OutboxDispatcherOptions
        {
            PollInterval = TimeSpan.FromMilliseconds(500),
            MaxBatchesInFlight = rig.Ledger.Fabric?.RoundsInFlight ?? 16,
        }, wallClock, loggers.CreateLogger<OutboxDispatcher>());
        var measurements = new MeasurementLog(Path.ChangeExtension(rig.JournalPath, ".measurements.db"), TimeSpan.FromDays(2), logger: loggers.CreateLogger<MeasurementLog>());
        var poller = new DevicePoller(links, clock, pollerOptions ?? new DevicePollerOptions(), board, measurements, loggers.CreateLogger<DevicePoller>());
        var core = new MarketCore();
        SafetyEventJournal? safetyJournal = null;
        var interlock = rig.Safety is { } safety ? OpenInterlock(rig, safety, labHardware, links, board, wallClock, logger, safetyJournal = SafetyEventJournal.Open(rig.JournalPath)) : null;
        var runner = new RoundRunner(rig, links, journal, core, new RoundLedgerWriter(rig, journal.Epoch, wallClock), dispatcher.Notify, board, clock,
            loggers.CreateLogger<RoundRunner>(), wallClock)
        {
            Interlock = interlock,
            // In lockstep the plant itself reads every device at the instants it steps to; a refresh bounded by real time would
            // make the run depend on the machine's load.
            RefreshReadings = lockstep is null ? poller.PollAllAsync : null,
        };
        var runtime = new GatewayRuntime(rig, clock, wallClock, connector, links, journal, ledgers, dispatcher, board, poller, measurements, runner, logger)
        {
            Interlock = interlock, _safetyJournal = safetyJournal,
        };
        runtime._lockstep = lockstep;
        interlock?.Start();
        runtime._ackJournal = OperatorAckJournal.Open(rig.JournalPath);
        board.AckRecorder = runtime._ackJournal.Record;
        runtime._lastTradedEnd = journal.AllRounds().Select(r => (DateTimeOffset?)r.IntervalEndUtc).DefaultIfEmpty(null).Max();
        try
        {
            await runtime.StartOperatorChannelsAsync(loggers, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await runtime.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        if (lockstep is null) runtime._backgroundTasks.Add(poller.RunAsync(runtime._background.Token));
        runtime._backgroundTasks.Add(runtime.RunDispatcherAsync(runtime._background.Token));
        runtime._backgroundTasks.Add(runtime.FollowLedgerAsync(runtime._background.Token));
        return runtime;
    }

    /// <summary>
    /// Open the e-stop input and the contactor on the rig's GPIO chip. A chip that cannot be opened is not an error that
    /// stops the gateway: the e-stop then reads open (fail safe), so the gateway runs, says why, and dispatches nothing.
    /// </summary>
    private static SafetyInterlock OpenInterlock(RigDefinition rig, RigSafety safety, LabHardware hardware, IReadOnlyList<DeviceLink> links, GatewayStatusBoard board,
        TimeProvider wallClock, ILogger logger, SafetyEventJournal journal)
    {
        System.Device.Gpio.GpioDriver driver;
        try
        {
            driver = hardware.OpenGpio(safety.GpioChip);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            driver = new Gateway.Drivers.Lab.UnavailableGpioDriver($"GPIO chip {safety.GpioChip} cannot be opened ({e.Message})");
        }
        var gpio = new System.Device.Gpio.GpioController(driver);
        var level = (bool high) => high ? System.Device.Gpio.PinValue.High : System.Device.Gpio.PinValue.Low;
        var estop = new Gateway.Drivers.Lab.EmergencyStopInput(gpio, new Gateway.Drivers.Lab.EmergencyStopOptions
        {
            Pin = safety.EmergencyStop.Pin, ClosedLevel = level(safety.EmergencyStop.ClosedLevelHigh), Debounce = safety.EmergencyStop.Debounce,
            // The pull makes a cut wire read as the open level.
            InputMode = safety.EmergencyStop.ClosedLevelHigh ? System.Device.Gpio.PinMode.InputPullDown : System.Device.Gpio.PinMode.InputPullUp,
        }, wallClock);
        Gateway.Drivers.Lab.ContactorOutput? contactor = null;
        string? contactorError = null;
        if (safety.Contactor is { } c)
        {
            try
            {
                contactor = new Gateway.Drivers.Lab.ContactorOutput(gpio, c.Pin, level(c.ClosedLevelHigh));
            }
            catch (IOException e)
            {
                contactorError = e.Message;
            }
        }
        if (estop.IsOpen) logger.LogCritical("safety: the e-stop reads open at start ({Reason}); nothing is dispatched until it is closed and an operator acknowledges", estop.Reason);
        return new SafetyInterlock(estop, contactor, contactorError, links, board, rig.SiteId, wallClock, logger, journal);
    }

    /// <summary>The dashboard's address, when the rig asks for one.</summary>
    public Uri? DashboardUrl => _dashboard?.Url;

    /// <summary>What the dashboard's feeder view draws.</summary>
    private static FeederTopology Topology(RigDefinition rig) => new(rig.Feeder.RootNodeId,
        rig.Feeder.Nodes.Select(n => new FeederDiagramNode(n.Id, n.BaseLoadKw, rig.Devices.Where(d => d.NodeId == n.Id).Select(d => d.Id).ToList())).ToList(),
        rig.Feeder.Lines.Select(l => new FeederDiagramLine(l.Id, l.FromNodeId, l.ToNodeId, l.LimitKw)).ToList());

    /// <summary>What the dashboard listens with, from the rig.</summary>
    internal static DashboardOptions DashboardOptionsOf(RigOperator op)
    {
        var (host, port) = DeviceConnector.SplitHostPortAllowingZero(op.DashboardListen!);
        var address = host is "localhost" ? System.Net.IPAddress.Loopback : System.Net.IPAddress.Parse(host.Trim('[', ']'));
        return new DashboardOptions
        {
            Address = address, Port = port, CertificatePath = op.DashboardTls?.CertificatePath, KeyPath = op.DashboardTls?.KeyPath,
            AllowedHosts = op.DashboardHosts, Credentials = op.Credentials,
        };
    }

    private async Task StartOperatorChannelsAsync(ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        if (Rig.Operator.DashboardListen is not null)
        {
            var options = DashboardOptionsOf(Rig.Operator);
            _dashboard = new DashboardServer(Board, options, WallClock, loggers);
            await _dashboard.StartAsync(cancellationToken).ConfigureAwait(false);
            var who = options.Credentials.Any ? "operators: " + string.Join(", ", options.Credentials.OperatorNames) : "no operator credentials: read-only, nobody can acknowledge";
            if (_dashboard.Certificate is { } cert)
                _logger.LogWarning("dashboard on {Url} over HTTPS (certificate {Subject}, valid until {Expiry:yyyy-MM-dd}), reachable beyond this machine; {Who}",
                    _dashboard.Url, cert.Subject, cert.NotAfter, who);
            else
                _logger.LogInformation("dashboard on {Url} (loopback only); {Who}", _dashboard.Url, who);
        }
        if (Rig.Operator.MqttBroker is { } brokerText)
        {
            var (broker, security) = Rig.Broker(brokerText);
            var formatter = new OperatorMessageFormatter(new OperatorTopics(Board.SiteId));
            // Rounds, setpoints and acknowledgements handed to the client survive a restart of the gateway while the
            // broker is away; the file sits beside the round journal.
            _mqttOutbox = new SqliteMqttOutboxStore(Path.ChangeExtension(Rig.JournalPath, ".mqtt-outbox.db"));
            _mqtt = new MqttClient(security.Apply(new MqttClientOptions
            {
                OutboxStore = _mqttOutbox,
                Host = broker.Host, Port = broker.Port, ClientId = "gateway-" + Board.SiteId, Will = formatter.Will(), BirthMessage = formatter.Birth(),
                ConnectTimeout = TimeSpan.FromSeconds(5),
                Reconnect = new MqttReconnectOptions { InitialDelay = TimeSpan.FromMilliseconds(500), MaxDelay = TimeSpan.FromSeconds(30) },
            }), TimeProvider.System);
            var address = broker.ToString();
            _mqtt.ConnectionStateChanged += (_, e) =>
            {
                if (e.State == MqttConnectionState.Connected)
                {
                    _logger.LogWarning("operator broker {Broker} connected ({Security})", address, security.Describe());
                    Board.Report(new BrokerLink("operators", address, true, WallClock.GetUtcNow(), null, []));
                }
                else if (e.State == MqttConnectionState.Reconnecting)
                {
                    _logger.LogWarning("operator broker {Broker} lost: {Reason}; reconnecting (setpoints and results wait in a queue)", address, e.Reason?.Message ?? "connection lost");
                    Board.Report(new BrokerLink("operators", address, false, WallClock.GetUtcNow(), e.Reason?.Message ?? "connection lost", []));
                }
            };
            // Real time: the publisher's drain timeout and rate bounds are about network I/O and people, not market time.
            _publisher = new OperatorPublisher(Board, _mqtt, new OperatorPublisherOptions { AckUsers = Rig.Operator.MqttAckUsers }, TimeProvider.System, loggers.CreateLogger<OperatorPublisher>());
            _operatorConnect = ConnectOperatorBrokerAsync(address, _background.Token);
        }
    }

    /// <summary>
    /// Connect to the operators' broker, retrying with backoff until it answers (a broker down at start must not leave
    /// the gateway silent for the rest of the run); after the first connection the client reconnects by itself.
    /// </summary>
    private async Task ConnectOperatorBrokerAsync(string address, CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromMilliseconds(500);
        var attempts = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await _mqtt!.ConnectAsync(cancellationToken).ConfigureAwait(false);
                await _publisher!.StartAsync(cancellationToken).ConfigureAwait(false);
                if (attempts > 0) _logger.LogWarning("operator broker {Broker} reached after {Attempts} failed attempt(s)", address, attempts);
                return;
            }
            catch (Exception e) when (e is MqttCommunicationException or MqttConnectException or MqttSubscribeException)
            {
                attempts++;
                // Trading does not depend on operators' broker; say so loudly and keep trying.
                if (attempts == 1 || attempts % 10 == 0)
                    _logger.LogError("operator MQTT broker {Broker} not reachable ({Error}); retrying every {Delay:0.#} s at most, setpoints and results are published once it answers",
                        address, e.Message, delay.TotalSeconds);
                Board.Report(new BrokerLink("operators", address, false, WallClock.GetUtcNow(), e.Message, []));
                try { await _mqtt!.DisconnectAsync(CancellationToken.None).ConfigureAwait(false); } catch (Exception) { /* not connected */ }
                try { await Task.Delay(delay, WallClock, cancellationToken).ConfigureAwait(false); }
                catch (OperationCanceledException) { return; }
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Messages published to the operators' broker so far (0 when none is configured).</summary>
    public long OperatorMessagesPublished => _publisher?.Published ?? 0;

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
    public async Task WaitForFirstPollAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
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
    public async Task<IReadOnlyList<RoundOutcome>> ResumeOpenRoundsAsync(CancellationToken cancellationToken = default, CancellationToken parkToken = default)
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
    /// The start of the interval the next round trades: the current one if little of it has
    /// passed (a tenth), otherwise the next one; never one the journal already closed.
    /// </summary>
    public DateTimeOffset NextIntervalStart()
    {
        var interval = Rig.Market.Interval;
        var now = Clock.GetUtcNow();
        var current = new DateTimeOffset(now.UtcTicks - now.UtcTicks % interval.Ticks, TimeSpan.Zero);
        var start = now - current <= interval / 10 ? current : current + interval;
        while (Journal.Get(Runner.Planner.RoundId(start)) is { State: RoundState.Closed or RoundState.Interrupted }) start += interval;
        return start;
    }

    /// <summary>
    /// Run the next market round (waiting for its interval to begin if needed). Intervals between the previous round and
    /// this one that were never traded come back in <see cref="RoundOutcome.SkippedBefore"/>, each with the reason, and are
    /// shown to operators as skipped rows. <paramref name="parkToken"/> asks the round to stop early (see <see cref="RoundRunner.RunAsync"/>).
    /// </summary>
    public async Task<RoundOutcome> TickAsync(CancellationToken cancellationToken = default, CancellationToken parkToken = default)
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
        _skipReason = null;
        return outcome with { SkippedBefore = skipped };
    }

    /// <summary>
    /// Wait on the plant clock until <paramref name="time"/> (after a round that failed, for the next interval): in lockstep
    /// the simulators and the clock are stepped there, polling on the way; otherwise a delay on the plant clock.
    /// </summary>
    public async Task WaitUntilAsync(DateTimeOffset time, CancellationToken cancellationToken = default)
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
    public void RecordFailedInterval(DateTimeOffset intervalStart)
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
            ? $"the round before ({previous}) ended at {Clock.GetUtcNow():HH:mm:ss}, past the first tenth of this interval (a slow device, a long dispatch or a late acknowledgement)"
            : "the gateway was not running when this interval began (stopped or restarting)";
        var rows = new List<RoundSummary>();
        for (var i = 0; i < count; i++)
        {
            var s = from + interval * i;
            var id = Runner.Planner.RoundId(s);
            if (Journal.Get(id) is not null) continue;
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

    private async Task<OutboxBacklog> ReadBacklogAsync(CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Rig.JournalPath, Pooling = false }.ToString());
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await new SettlementOutbox(WallClock).ReadBacklogAsync(connection, countCommitted: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Puts on the board what the main chain says it committed (Fabric: the peer's ChaincodeEvents; embedded: new blocks),
    /// so the dashboard's ledger card shows commits as the ledger reports them, not only what the outbox believes. A peer
    /// that goes away is followed again from the last block seen, on wall time, with backoff.
    /// </summary>
    private async Task FollowLedgerAsync(CancellationToken cancellationToken)
    {
        long? resumeBlock = null;
        var seenInBlock = new HashSet<string>(StringComparer.Ordinal);
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await foreach (var committed in LedgerFeed.FollowAsync(resumeBlock, cancellationToken).ConfigureAwait(false))
                {
                    // After a reconnect the feed starts again at the last block seen: skip what the board already has.
                    if (committed.BlockNumber != resumeBlock)
                    {
                        resumeBlock = committed.BlockNumber;
                        seenInBlock.Clear();
                    }
                    if (!seenInBlock.Add(committed.Settlement.SettlementId)) continue;
                    failures = 0;
                    var s = committed.Settlement;
                    Board.Report(new LedgerCommit(s.SettlementId, s.RoundId, s.PayerId, s.PayeeId, s.EnergyKwh, s.Amount, committed.BlockNumber, committed.TransactionId,
                        WallClock.GetUtcNow()));
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is FabricLedgerException or IOException or SqliteException or InvalidDataException or OperationCanceledException)
            {
                // Settling does not depend on this view; the outbox has the authoritative counts.
                if (failures++ % 10 == 0) _logger.LogWarning("following the ledger's commits: {Error}; trying again", e.Message);
            }
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(30, 1 << Math.Min(failures, 5))), WallClock, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task RunDispatcherAsync(CancellationToken cancellationToken)
    {
        var run = Dispatcher.RunAsync(cancellationToken);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                // Read from the outbox with the committed count: the dispatcher's own snapshot does not count history.
                var b = await ReadBacklogAsync(cancellationToken).ConfigureAwait(false);
                Board.Report(new LedgerBacklog((int)b.PendingCount, b.OldestPendingAge, (int)b.DeadLetterCount, b.CommittedCount ?? 0, b.LastError ?? Dispatcher.LastBacklog?.LastError));
                await Task.Delay(TimeSpan.FromSeconds(2), WallClock, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
        }
        try { await run.ConfigureAwait(false); } catch (OperationCanceledException) { }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _background.Cancel();
        try { await _operatorConnect.ConfigureAwait(false); } catch (OperationCanceledException) { }
        if (_publisher is not null) await _publisher.StopAsync().ConfigureAwait(false);
        if (_mqtt is not null)
        {
            try
            {
                using var bye = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                if (_mqtt.State == MqttConnectionState.Connected) await _mqtt.DisconnectAsync(bye.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is MqttCommunicationException or OperationCanceledException) { }
            await _mqtt.DisposeAsync().ConfigureAwait(false);
        }
        _mqttOutbox?.Dispose();
        if (_dashboard is not null) await _dashboard.DisposeAsync().ConfigureAwait(false);
        // Opens the contactor: a stopped gateway leaves the bench disconnected.
        if (Interlock is not null) await Interlock.DisposeAsync().ConfigureAwait(false);
        try { await Task.WhenAll(_backgroundTasks).ConfigureAwait(false); } catch (OperationCanceledException) { }
        foreach (var link in Links) await link.DisposeAsync().ConfigureAwait(false);
        if (_lockstep is not null) await _lockstep.DisposeAsync().ConfigureAwait(false);
        await _connector.DisposeAsync().ConfigureAwait(false);
        await _measurements.DisposeAsync().ConfigureAwait(false);
        await _ledgers.DisposeAsync().ConfigureAwait(false);
        Journal.Dispose();
        _ackJournal?.Dispose();
        _safetyJournal?.Dispose();
        _background.Dispose();
    }
}
