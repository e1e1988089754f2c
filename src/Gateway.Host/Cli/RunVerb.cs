using System.CommandLine;
using System.Globalization;
using Gateway.Host.Rigs;
using Gateway.Host.Worker;
using Microsoft.Extensions.DependencyInjection;
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
        var report = new Option<DirectoryInfo?>("--report") { Description = "Where the summary, CSV and plots go (default out/run/<site>)" };
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

        // Logs go to stderr so stdout holds only the progress table and the summary.
        using var loggers = LoggerFactory.Create(b =>
        {
            b.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; })
             .SetMinimumLevel(verbose ? LogLevel.Information : LogLevel.Warning);
            b.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        });
        var outDir = reportDir?.FullName ?? Path.Combine(Directory.GetCurrentDirectory(), "out", "run", rig.SiteId + (rig.Market.SmesEnabled ? "" : "-no-smes"));
        Scheduling.LockstepPlant? plant = null;
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
                plant = await Scheduling.LockstepPlant.ConnectAsync(control, cancellationToken);
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
            clock = new Scheduling.AcceleratedTimeProvider(simStart + sinceSimsStarted * rig.TimeScale, rig.TimeScale);
        }
        await using var runtime = await GatewayRuntime.StartAsync(rig, loggers, overrides, clock, cancellationToken: cancellationToken, lockstep: plant);
        var progress = new RunProgress(rig, runtime.Board, AnsiConsole.Console);
        progress.Header(roundCount);
        if (runtime.DashboardUrl is { } url) AnsiConsole.MarkupLine($"dashboard: {Markup.Escape(url.ToString())}");
        await runtime.WaitForFirstPollAsync(TimeSpan.FromSeconds(10), cancellationToken);
        progress.Devices();

        var outcomes = new List<RoundOutcome>();
        try
        {
            foreach (var resumed in await runtime.ResumeOpenRoundsAsync(cancellationToken))
            {
                outcomes.Add(resumed);
                progress.Round(resumed, resumed: true);
            }
            while (roundCount is null || outcomes.Count < roundCount)
            {
                var outcome = await runtime.TickAsync(cancellationToken);
                outcomes.Add(outcome);
                progress.Round(outcome, resumed: false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            AnsiConsole.MarkupLine("[yellow]stopped[/]: the journal keeps every round; run again to resume");
        }

        var backlog = await runtime.DrainLedgerAsync(TimeSpan.FromSeconds(20), CancellationToken.None);
        var report = await RunReport.WriteAsync(rig, outcomes, backlog, outDir, CancellationToken.None);
        progress.Summary(outcomes, backlog, report);
        return backlog.PendingCount == 0 && backlog.DeadLetterCount == 0 ? ExitCodes.Ok : ExitCodes.Failed;
    }

    internal static string Pct(double v) => (v * 100).ToString("0.0", CultureInfo.InvariantCulture) + " %";
}
