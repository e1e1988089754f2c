using System.Text.Json;
using Gateway.Drivers.Mqtt;
using Gateway.Host.Devices;
using Gateway.Host.Operator;
using Gateway.Host.Journal;
using Gateway.Host.Rigs;
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
    private readonly ISettlementLedger _ledger;
    private readonly MeasurementLog _measurements;
    private DashboardServer? _dashboard;
    private MqttClient? _mqtt;
    private OperatorPublisher? _publisher;
    private LockstepPlant? _lockstep;

    private GatewayRuntime(RigDefinition rig, TimeProvider clock, TimeProvider wallClock, DeviceConnector connector, IReadOnlyList<DeviceLink> links, RoundJournal journal,
        ISettlementLedger ledger, OutboxDispatcher dispatcher, GatewayStatusBoard board, DevicePoller poller, MeasurementLog measurements, RoundRunner runner, ILogger logger)
    {
        Rig = rig;
        Clock = clock;
        WallClock = wallClock;
        _connector = connector;
        Links = links;
        Journal = journal;
        _ledger = ledger;
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

    /// <summary>The ledger settlements go to.</summary>
    public ISettlementLedger Ledger => _ledger;

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
        LockstepPlant? lockstep = null)
    {
        wallClock ??= TimeProvider.System;
        if (lockstep is not null) clock = lockstep.Clock;
        clock ??= rig.StartUtc is { } start ? new AcceleratedTimeProvider(start, rig.TimeScale) : wallClock;
        var logger = loggers.CreateLogger("gateway");
        var connector = new DeviceConnector(clock, siteId: rig.SiteId);
        var links = rig.Devices.Select(d => connector.Open(d, endpointOverrides?.GetValueOrDefault(d.Id))).ToList();
        var journal = RoundJournal.Open(rig.JournalPath, clock);
        var journalConnection = new SqliteConnectionStringBuilder { DataSource = rig.JournalPath, Pooling = false }.ToString();
        await using (var schema = new SqliteConnection(journalConnection))
        {
            await schema.OpenAsync(cancellationToken).ConfigureAwait(false);
            await SettlementOutbox.EnsureSchemaAsync(schema, cancellationToken).ConfigureAwait(false);
        }
        ISettlementLedger ledger = rig.Ledger.Kind == "fabric" && rig.Ledger.Fabric is { } f
            ? FabricLedger.Create(new FabricLedgerOptions
            {
                PeerEndpoint = f.PeerUrl, TlsCaCertificatePath = f.TlsCaPath, Channel = f.Channel, Chaincode = f.Chaincode,
                MspId = f.MspId, CertificatePath = f.CertificatePath, PrivateKeyPath = f.PrivateKeyPath,
            }, wallClock)
            : await EmbeddedLedger.OpenAsync(rig.Ledger.EmbeddedPath, wallClock, cancellationToken).ConfigureAwait(false);
        var dispatcher = new OutboxDispatcher(journalConnection, ledger, new OutboxDispatcherOptions { PollInterval = TimeSpan.FromMilliseconds(500) }, wallClock,
            loggers.CreateLogger<OutboxDispatcher>());
        var board = new GatewayStatusBoard(rig.SiteId, clock);
        var measurements = new MeasurementLog(Path.ChangeExtension(rig.JournalPath, ".measurements.db"), TimeSpan.FromDays(2));
        var poller = new DevicePoller(links, clock, pollerOptions ?? new DevicePollerOptions(), board, measurements, loggers.CreateLogger<DevicePoller>());
        var core = new MarketCore();
        var runner = new RoundRunner(rig, links, journal, core, new SettlementOutbox(wallClock), dispatcher.Notify, board, clock, loggers.CreateLogger<RoundRunner>());
        var runtime = new GatewayRuntime(rig, clock, wallClock, connector, links, journal, ledger, dispatcher, board, poller, measurements, runner, logger);
        runtime._lockstep = lockstep;
        await runtime.StartOperatorChannelsAsync(loggers, cancellationToken).ConfigureAwait(false);
        if (lockstep is null) runtime._backgroundTasks.Add(poller.RunAsync(runtime._background.Token));
        runtime._backgroundTasks.Add(runtime.RunDispatcherAsync(runtime._background.Token));
        return runtime;
    }

    /// <summary>The dashboard's address, when the rig asks for one.</summary>
    public Uri? DashboardUrl => _dashboard?.Url;

    private async Task StartOperatorChannelsAsync(ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        if (Rig.Operator.DashboardListen is { } listen)
        {
            var (_, port) = DeviceConnector.SplitHostPortAllowingZero(listen);
            _dashboard = new DashboardServer(Board, new DashboardOptions { Port = port }, Clock, loggers);
            await _dashboard.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        if (Rig.Operator.MqttBroker is { } broker)
        {
            var (host, port) = DeviceConnector.SplitHostPortAllowingZero(broker);
            var formatter = new OperatorMessageFormatter(new OperatorTopics(Board.SiteId));
            _mqtt = new MqttClient(new MqttClientOptions { Host = host, Port = port, ClientId = "gateway-" + Board.SiteId, Will = formatter.Will(), BirthMessage = formatter.Birth() });
            try
            {
                await _mqtt.ConnectAsync(cancellationToken).ConfigureAwait(false);
                // Real time: the publisher's drain timeout bounds network I/O, not market time.
                _publisher = new OperatorPublisher(Board, _mqtt, new OperatorPublisherOptions(), TimeProvider.System, loggers.CreateLogger<OperatorPublisher>());
                await _publisher.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is MqttCommunicationException or MqttConnectException)
            {
                // Trading does not depend on operators' broker; say so loudly and go on.
                _logger.LogError("operator MQTT broker {Broker} not reachable ({Error}); setpoints and results are not published", broker, e.Message);
            }
        }
    }

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
    public async Task<IReadOnlyList<RoundOutcome>> ResumeOpenRoundsAsync(CancellationToken cancellationToken = default)
    {
        var outcomes = new List<RoundOutcome>();
        foreach (var open in Journal.OpenRounds())
        {
            _logger.LogInformation("resuming round {Round} from {State}", open.RoundId, open.State);
            outcomes.Add(await Runner.RunAsync(open.IntervalStartUtc, cancellationToken).ConfigureAwait(false));
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
        while (Journal.Get(Runner.Planner.RoundId(start)) is { State: RoundState.Closed }) start += interval;
        return start;
    }

    /// <summary>Run the next market round (waiting for its interval to begin if needed).</summary>
    public async Task<RoundOutcome> TickAsync(CancellationToken cancellationToken = default)
    {
        if (_lockstep is not null) return await _lockstep.RunRoundAsync(this, cancellationToken).ConfigureAwait(false);
        var start = NextIntervalStart();
        var wait = start - Clock.GetUtcNow();
        if (wait > TimeSpan.Zero) await Task.Delay(wait, Clock, cancellationToken).ConfigureAwait(false);
        return await Runner.RunAsync(start, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Wait until the outbox is empty or <paramref name="timeout"/> of real time passed; returns the backlog then.</summary>
    public async Task<OutboxBacklog> DrainLedgerAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var until = TimeProvider.System.GetTimestamp() + (long)(timeout.TotalSeconds * TimeProvider.System.TimestampFrequency);
        while (true)
        {
            Dispatcher.Notify();
            var backlog = await Dispatcher.GetBacklogAsync(cancellationToken).ConfigureAwait(false);
            if (backlog.IsEmpty || TimeProvider.System.GetTimestamp() >= until)
            {
                await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Rig.JournalPath, Pooling = false }.ToString());
                await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                return await new SettlementOutbox(WallClock).ReadBacklogAsync(connection, countCommitted: true, cancellationToken).ConfigureAwait(false);
            }
            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task RunDispatcherAsync(CancellationToken cancellationToken)
    {
        var run = Dispatcher.RunAsync(cancellationToken);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var b = await Dispatcher.GetBacklogAsync(cancellationToken).ConfigureAwait(false);
                Board.Report(new LedgerBacklog((int)b.PendingCount, b.OldestPendingAge, (int)b.DeadLetterCount, b.CommittedCount ?? 0, b.LastError));
                await Task.Delay(1000, cancellationToken).ConfigureAwait(false);
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
        if (_publisher is not null) await _publisher.StopAsync().ConfigureAwait(false);
        if (_mqtt is not null) await _mqtt.DisposeAsync().ConfigureAwait(false);
        if (_dashboard is not null) await _dashboard.DisposeAsync().ConfigureAwait(false);
        _background.Cancel();
        try { await Task.WhenAll(_backgroundTasks).ConfigureAwait(false); } catch (OperationCanceledException) { }
        foreach (var link in Links) await link.DisposeAsync().ConfigureAwait(false);
        if (_lockstep is not null) await _lockstep.DisposeAsync().ConfigureAwait(false);
        await _connector.DisposeAsync().ConfigureAwait(false);
        await _measurements.DisposeAsync().ConfigureAwait(false);
        if (_ledger is IAsyncDisposable d) await d.DisposeAsync().ConfigureAwait(false);
        Journal.Dispose();
        _background.Dispose();
    }
}
