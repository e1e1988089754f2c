using System.CommandLine;
using System.Globalization;
using Gateway.Rigs;
using Gateway.Runtime.Scheduling;
using Gateway.Runtime.Worker;
using Gateway.LedgerClient.Outbox;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace Gateway.Host.Cli;

/// <summary>
/// <c>gateway run --rig FILE</c>: the gateway worker. Polls the rig's devices, runs a market
/// round every interval (quote, clear, dispatch and verify, meter, settle), shows each round as
/// it finishes, and ends with a summary and plots when the rig's round count is reached.
/// </summary>
internal static class RunVerb
{
    public static Command Create()
    {
        var rig = new Option<string>("--rig") { Description = "Rig file (or a folder holding rig.yaml)", Required = true };
        var endpoints = new Option<FileInfo?>("--endpoints") { Description = "Device endpoints written by device-sims --endpoints-out (overrides the rig's)" };
        var rounds = new Option<int?>("--rounds") { Description = "Stop after this many rounds (default: the rig's market.rounds, else run until stopped)" };
        var noSmes = new Option<bool>("--no-smes") { Description = "Run the market without the SMES fallback (the paper's 'without SMES' case)" };
        var report = new Option<DirectoryInfo?>("--report") { Description = "Where the summary, CSV and plots go (default out/run/<site>/<start time>/, with out/run/<site>/latest pointing at the newest)" };
        var verbose = new Option<bool>("--verbose") { Description = "Log every round and device event to stderr" };
        var lockstep = new Option<bool>("--lockstep") { Description = "Step the simulators' clock with the rounds (device-sims --clock stepped; needs --endpoints): the same rig gives the same day on any machine load" };
        var command = new Command("run", "Run the gateway on a rig: poll devices, trade every market interval, dispatch, settle.");
        foreach (var o in new Option[] { rig, endpoints, rounds, noSmes, report, verbose, lockstep }) command.Options.Add(o);
        command.SetAction(async (ParseResult r, CancellationToken ct) =>
            await RunAsync(r.GetValue(rig)!, r.GetValue(endpoints), r.GetValue(rounds), r.GetValue(noSmes), r.GetValue(report), r.GetValue(verbose), ct, r.GetValue(lockstep)));
        return command;
    }

    internal static async Task<int> RunAsync(string rigPath, FileInfo? endpointsFile, int? rounds, bool noSmes, DirectoryInfo? reportDir, bool verbose, CancellationToken cancellationToken,
        bool lockstep = false)
    {
        RigDefinition rig;
        try
        {
            rig = RigLoader.Load(rigPath);
        }
        catch (RigFileException e)
        {
            Console.Error.WriteLine("run: " + e.Message);
            return ExitCodes.BadInput;
        }
        if (noSmes) rig = rig with { Market = rig.Market with { SmesEnabled = false } };
        var roundCount = rounds ?? rig.Market.Rounds;
        if (roundCount is <= 0)
        {
            Console.Error.WriteLine("run: --rounds must be at least 1");
            return ExitCodes.BadInput;
        }

        IReadOnlyDictionary<string, string>? overrides = null;
        if (endpointsFile is not null)
        {
            try
            {
                overrides = GatewayRuntime.ReadEndpointsFile(endpointsFile.FullName);
            }
            catch (Exception e) when (e is IOException or System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException)
            {
                Console.Error.WriteLine($"run: cannot use --endpoints {endpointsFile.FullName}: {e.Message}");
                return ExitCodes.BadInput;
            }
        }

        using var signals = new StopSignals();
        var systemd = new SystemdNotifier();
        // Logs go to stderr so stdout holds only the progress table and the summary; under systemd in journald's format.
        using var loggers = LoggerFactory.Create(b =>
        {
            if (SystemdHelpers.IsSystemdService()) b.AddSystemdConsole(o => o.TimestampFormat = null);
            else b.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
            b.SetMinimumLevel(verbose ? LogLevel.Information : LogLevel.Warning);
            b.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        });
        var log = loggers.CreateLogger("gateway.run");
        signals.Received += (signal, second) =>
        {
            if (second) log.LogWarning("{Signal} again: stopping at once (the journal keeps the round; the next run resumes it)", signal);
            else log.LogWarning("{Signal} received: finishing or parking the current round, then flushing the ledger outbox (send it again to stop at once)", signal);
            if (!second && systemd.IsEnabled) systemd.Notify(ServiceState.Stopping);
        };
        var siteReports = Path.Combine(Directory.GetCurrentDirectory(), "out", "run", rig.SiteId + (rig.Market.SmesEnabled ? "" : "-no-smes"));
        var outDir = reportDir?.FullName ?? Reports.RunReportFolder.ForRun(siteReports, TimeProvider.System.GetUtcNow());
        LockstepPlant? plant = null;
        if (lockstep)
        {
            if (overrides?.GetValueOrDefault("@clock") is not { } control)
            {
                Console.Error.WriteLine("run: --lockstep needs --endpoints from device-sims --clock stepped (the file lists the simulators' clock as '@clock')");
                return ExitCodes.BadInput;
            }
            if (rig.Devices.FirstOrDefault(d => d.Protocol == "mqtt") is { } mqtt)
            {
                Console.Error.WriteLine($"run: --lockstep needs every device on Modbus: MQTT telemetry (device '{mqtt.Id}') arrives on the broker's schedule, not at the stepped instant");
                return ExitCodes.BadInput;
            }
            if (rig.Operator.RequireAck)
            {
                Console.Error.WriteLine("run: --lockstep cannot wait for operator acknowledgements (operator.requireAck): nobody moves the simulated clock meanwhile");
                return ExitCodes.BadInput;
            }
            try
            {
                plant = await LockstepPlant.ConnectAsync(control, signals.Abort);
            }
            catch (IOException e)
            {
                Console.Error.WriteLine("run: " + e.Message);
                return ExitCodes.Unreachable;
            }
        }

        TimeProvider? clock = null;
        if (plant is null && endpointsFile is not null && rig.StartUtc is { } simStart)
        {
            // device-sims writes the endpoints file the moment its simulated clock starts: start the
            // gateway's clock where the simulators' clock is now, so both agree on simulated time.
            var sinceSimsStarted = TimeProvider.System.GetUtcNow().UtcDateTime - File.GetLastWriteTimeUtc(endpointsFile.FullName);
            if (sinceSimsStarted < TimeSpan.Zero) sinceSimsStarted = TimeSpan.Zero;
            clock = new AcceleratedTimeProvider(simStart + sinceSimsStarted * rig.TimeScale, rig.TimeScale);
        }
        var record = new RunReport.RunRecord();
        var observer = new RunObserver(rig, record, roundCount, systemd);
        GatewayRuntime runtime;
        try
        {
            runtime = await GatewayRuntime.StartAsync(rig, loggers, new RoundLoopOptions(roundCount, signals, observer, TimeSpan.FromSeconds(10)),
                overrides, clock, plant, signals.Abort);
        }
        catch (Exception e) when (e is IOException or System.Security.Cryptography.CryptographicException or ArgumentException or Gateway.Drivers.Mqtt.MqttBrokerSecurityException
            or Microsoft.Extensions.Options.OptionsValidationException)
        {
            if (plant is not null) await plant.DisposeAsync();
            Console.Error.WriteLine("run: cannot start: " + e.Message);
            return ExitCodes.BadInput;
        }
        await using var _ = runtime;
        await runtime.RoundLoopCompletion;

        var stoppedBySignal = signals.FirstSignal is not null;
        if (stoppedBySignal)
            AnsiConsole.Console.WriteLine($"stopped on {signals.FirstSignal}{(signals.Abort.IsCancellationRequested ? " (at once, second signal)" : "")}: the journal keeps every round; run again to resume parked ones",
                new Style(Color.Yellow));
        // Bounded: at most 20 s (10 s after a stop was asked for, nothing after a second signal); the outbox keeps the rest for the next run.
        var drainFor = signals.Abort.IsCancellationRequested ? TimeSpan.Zero : stoppedBySignal ? TimeSpan.FromSeconds(10) : TimeSpan.FromSeconds(20);
        OutboxBacklog backlog;
        try
        {
            backlog = await runtime.DrainLedgerAsync(drainFor, signals.Abort.IsCancellationRequested ? CancellationToken.None : signals.Abort);
        }
        catch (OperationCanceledException)
        {
            backlog = await runtime.DrainLedgerAsync(TimeSpan.Zero, CancellationToken.None);
        }
        var report = await RunReport.WriteAsync(rig, record, backlog, outDir, CancellationToken.None);
        if (reportDir is null && Reports.RunReportFolder.MarkLatest(siteReports, outDir) is { } linkProblem) log.LogWarning("{Problem}", linkProblem);
        observer.Progress.Summary(record, backlog, report);
        // The side chains (decisions, deliveries) must be delivered too; say which is not.
        var streams = await runtime.StreamBacklogsAsync(CancellationToken.None);
        foreach (var (stream, b) in streams.Where(p => p.Key != Gateway.LedgerClient.LedgerStream.Settlements && (p.Value.PendingCount > 0 || p.Value.DeadLetterCount > 0)))
            AnsiConsole.MarkupLine($"[red]{stream.ToString().ToLowerInvariant()} side chain[/]: {b.PendingCount} pending, {b.DeadLetterCount} dead-lettered{Markup.Escape(b.LastError is { } e ? "; last error: " + e : "")}");
        if (stoppedBySignal) return ExitCodes.Ok;
        return streams.Values.All(b => b.PendingCount == 0 && b.DeadLetterCount == 0) ? ExitCodes.Ok : ExitCodes.Failed;
    }

    internal static string Pct(double v) => (v * 100).ToString("0.0", CultureInfo.InvariantCulture) + " %";
}
