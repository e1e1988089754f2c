using Gateway.Runtime.Devices;
using Gateway.Runtime.Journal;
using Gateway.Runtime.Ledger;
using Gateway.Runtime.Operator;
using Gateway.Rigs;
using Gateway.Runtime.Safety;
using Gateway.Runtime.Scheduling;
using Gateway.Runtime.Status;
using Gateway.LedgerClient.Outbox;
using Gateway.Market;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Runtime.Worker;

/// <summary>
/// The composition root of a running gateway: which object is built from what, and which run in the background. Every
/// part is a singleton of one rig; the hosted services start in the order registered (interlock, dashboard, operator
/// publisher, poller, outbox dispatcher, ledger follower and, for <c>gateway run</c>, the round loop) and stop in reverse, and the container disposes the rest in
/// the reverse order of their creation (a link before its connector, the journal after its runner).
/// </summary>
internal static class GatewayServices
{
    /// <summary>A host for <paramref name="startup"/>: no configuration files, no console lifetime (the run loop owns the signals).</summary>
    public static IHost Build(GatewayStartup startup)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ApplicationName = "gateway" });
        builder.Services.AddGateway(startup);
        return builder.Build();
    }

    /// <summary>Register everything a gateway runs for <paramref name="startup"/>'s rig.</summary>
    public static IServiceCollection AddGateway(this IServiceCollection services, GatewayStartup startup)
    {
        var rig = startup.Rig;
        services.AddSingleton<IHostLifetime, SignalFreeLifetime>();
        // Background work ends on its own terms (each loop catches what it expects); one failing must not stop the others.
        services.Configure<HostOptions>(o => o.BackgroundServiceExceptionBehavior = BackgroundServiceExceptionBehavior.Ignore);
        services.AddSingleton(startup.Loggers);
        services.AddSingleton(rig);
        services.AddSingleton(startup.Clocks);
        // The one TimeProvider handed out is wall time; the plant's clock is asked for by name (GatewayClocks.Plant).
        services.AddSingleton(startup.Clocks.Wall);
        services.AddSingleton(startup.Ledgers);
        services.AddSingleton(startup.LabHardware);

        services.AddValidatedOptions(startup.PollerOptions, o => o.Validate());
        services.AddValidatedOptions(new OutboxDispatcherOptions
        {
            PollInterval = TimeSpan.FromMilliseconds(500),
            MaxBatchesInFlight = rig.Ledger.Fabric?.RoundsInFlight ?? 16,
        }, o => o.Validate());
        if (rig.Operator.DashboardListen is not null) services.AddValidatedOptions(DashboardService.OptionsOf(rig.Operator), o => o.Validate());

        services.AddSingleton(sp => new GatewayStatusBoard(rig.SiteId, startup.Clocks.Plant, startup.Clocks.Wall) { TimeScale = rig.TimeScale, Feeder = Topology(rig) });
        services.AddSingleton(sp =>
        {
            var board = sp.GetRequiredService<GatewayStatusBoard>();
            return new DeviceConnector(startup.Clocks.Plant, siteId: rig.SiteId, brokers: rig.Broker, brokerChanged: board.Report, logger: Logger(sp), wallClock: startup.Clocks.Wall)
            {
                I2cDevices = startup.LabHardware.OpenI2c,
            };
        });
        services.AddSingleton(sp =>
        {
            var connector = sp.GetRequiredService<DeviceConnector>();
            return new DeviceLinks(rig.Devices.Select(d => connector.Open(d, startup.EndpointOverrides?.GetValueOrDefault(d.Id))).ToList());
        });
        services.AddSingleton(sp => RoundJournal.Open(rig.JournalPath, startup.Clocks.Plant));
        services.AddSingleton(sp => startup.Ledgers.CreateDispatcher(OutboxDispatchService.JournalConnectionString(rig.JournalPath),
            sp.GetRequiredService<IOptions<OutboxDispatcherOptions>>().Value, startup.Clocks.Wall, sp.GetRequiredService<ILogger<OutboxDispatcher>>()));
        services.AddSingleton(sp => new MeasurementLog(Path.ChangeExtension(rig.JournalPath, ".measurements.db"), TimeSpan.FromDays(2),
            logger: sp.GetRequiredService<ILogger<MeasurementLog>>()));
        services.AddSingleton(sp => new DevicePoller(sp.GetRequiredService<DeviceLinks>(), startup.Clocks.Plant, sp.GetRequiredService<IOptions<DevicePollerOptions>>().Value,
            sp.GetRequiredService<GatewayStatusBoard>(), sp.GetRequiredService<MeasurementLog>(), sp.GetRequiredService<ILogger<DevicePoller>>()));
        services.AddSingleton<MarketCore>();
        if (rig.Safety is { } safety)
        {
            services.AddSingleton(sp => SafetyEventJournal.Open(rig.JournalPath));
            services.AddSingleton(sp => SafetyInterlocks.Open(rig, safety, startup.LabHardware, sp.GetRequiredService<DeviceLinks>(), sp.GetRequiredService<GatewayStatusBoard>(),
                startup.Clocks.Wall, Logger(sp), sp.GetRequiredService<SafetyEventJournal>()));
        }
        services.AddSingleton(sp =>
        {
            var journal = sp.GetRequiredService<RoundJournal>();
            var poller = sp.GetRequiredService<DevicePoller>();
            return new RoundRunner(rig, sp.GetRequiredService<DeviceLinks>(), journal, sp.GetRequiredService<MarketCore>(), new RoundLedgerWriter(rig, journal.Epoch, startup.Clocks.Wall),
                sp.GetRequiredService<OutboxDispatcher>().Notify, sp.GetRequiredService<GatewayStatusBoard>(), startup.Clocks.Plant, sp.GetRequiredService<ILogger<RoundRunner>>(),
                startup.Clocks.Wall)
            {
                Interlock = sp.GetService<SafetyInterlock>(),
                // In lockstep the plant itself reads every device at the instants it steps to; a refresh bounded by real time would
                // make the run depend on the machine's load.
                RefreshReadings = startup.Lockstep is null ? poller.PollAllAsync : null,
            };
        });
        services.AddSingleton(sp => OperatorAckJournal.Open(rig.JournalPath));

        if (rig.Safety is not null) services.AddHostedService<InterlockService>();
        if (rig.Operator.DashboardListen is not null) services.AddSingletonHostedService<DashboardService>();
        if (rig.Operator.MqttBroker is not null) services.AddSingletonHostedService<OperatorPublishingService>();
        if (startup.Lockstep is null) services.AddHostedService<DevicePollingService>();
        services.AddHostedService<OutboxDispatchService>();
        services.AddHostedService<LedgerFollowService>();
        if (startup.RoundLoop is { } loop)
        {
            services.AddSingleton(loop);
            services.AddSingleton(sp => startup.Runtime ?? throw new InvalidOperationException("the round loop starts only once the runtime is built"));
            // Last: it starts once everything it trades with runs, and is the first to stop.
            services.AddSingletonHostedService<RoundLoopService>();
        }
        return services;
    }

    /// <summary>A hosted service that can also be asked for by its type (the runtime reads the dashboard's address from it).</summary>
    private static void AddSingletonHostedService<TService>(this IServiceCollection services)
        where TService : class, IHostedService
    {
        services.AddSingleton<TService>();
        services.AddHostedService(sp => sp.GetRequiredService<TService>());
    }

    private static ILogger Logger(IServiceProvider sp) => sp.GetRequiredService<ILoggerFactory>().CreateLogger("gateway");

    /// <summary>What the dashboard's feeder view draws.</summary>
    private static FeederTopology Topology(RigDefinition rig) => new(rig.Feeder.RootNodeId,
        rig.Feeder.Nodes.Select(n => new FeederDiagramNode(n.Id, n.BaseLoadKw, rig.Devices.Where(d => d.NodeId == n.Id).Select(d => d.Id).ToList())).ToList(),
        rig.Feeder.Lines.Select(l => new FeederDiagramLine(l.Id, l.FromNodeId, l.ToNodeId, l.LimitKw)).ToList());
}
