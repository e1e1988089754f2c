using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Gateway.Host.Cli;
using Gateway.Testing.Rigs;

namespace Gateway.Host.Tests.Field;

/// <summary>
/// Every verb of the real executable run with broken options and broken files: each ends with the documented exit code,
/// lines naming what is wrong, JSON on stdout where --json was asked for, and never a stack trace.
/// </summary>
public sealed class CliNoStackTraceTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cli-broken-").FullName;

    public CliNoStackTraceTests()
    {
        File.WriteAllText(Path.Combine(_dir, "broken.yaml"), "site: [a\n  devices: {\n");
        File.WriteAllText(Path.Combine(_dir, "broken.json"), """{"participants": [1,""");
        File.WriteAllText(Path.Combine(_dir, "garbage.db"), "not a database");
        File.WriteAllText(Path.Combine(_dir, "profile.yaml"), "name: x\nkind: charger\npoints: [ {");
        Directory.CreateDirectory(Path.Combine(_dir, "empty"));
        foreach (var (name, sim, dashboard) in new[]
        {
            ("nan", "batteryKwh: .nan, socAtArrivalPercent: 40, arrival: \"08:00\", departure: \"18:00\", maxChargeKw: 7, maxDischargeKw: 7", null),
            ("soc150", "batteryKwh: 60, socAtArrivalPercent: 150, arrival: \"08:00\", departure: \"18:00\", maxChargeKw: 7, maxDischargeKw: 7", null),
            ("leaves-early", "batteryKwh: 60, socAtArrivalPercent: 40, arrival: \"18:00\", departure: \"08:00\", maxChargeKw: 7, maxDischargeKw: 7", null),
            ("dashboard", "batteryKwh: 60, socAtArrivalPercent: 40, arrival: \"08:00\", departure: \"18:00\", maxChargeKw: 7, maxDischargeKw: 7", "0.0.0.0:18090"),
        })
        {
            File.WriteAllText(Path.Combine(_dir, $"{name}.yaml"), $$"""
                site: broken-{{name}}
                start: 2026-06-01T10:00:00Z
                timeScale: 1
                devices:
                  - { id: ev-1, kind: charger, node: n1, protocol: modbus-tcp, endpoint: "127.0.0.1:15021", unitId: 1, profile: v2g-charger,
                      sim: { {{sim}} } }
                {{RigYaml.FeederAndMarket}}
                {{(dashboard is null ? "" : $"operator: {{ dashboard: \"{dashboard}\" }}")}}
                """);
        }
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static TheoryData<string, int, string> Cases() => new()
    {
        // The command line itself: missing, unknown and mistyped options exit 2 like any bad input.
        { "", ExitCodes.BadInput, "Required command was not provided" },
        { "frobnicate", ExitCodes.BadInput, "Unrecognized command or argument 'frobnicate'" },
        { "probe", ExitCodes.BadInput, "Required argument missing" },
        { "probe {closed}", ExitCodes.BadInput, "--profile is required" },
        { "probe {closed} --profile v2g-charger --bogus", ExitCodes.BadInput, "Unrecognized command or argument '--bogus'" },
        { "probe {closed} --profile v2g-charger --unit abc", ExitCodes.BadInput, "abc" },
        { "probe {closed} --profile v2g-charger --unit 999 --json", ExitCodes.BadInput, "--unit 999 is not a Modbus unit id" },
        { "probe {closed} --profile v2g-charger --set lots", ExitCodes.BadInput, "--set 'lots' is not a number of kW" },
        { "probe http://127.0.0.1:502 --profile v2g-charger", ExitCodes.BadInput, "unknown scheme" },
        { "probe {closed} --profile no-such-profile", ExitCodes.BadInput, "no such profile file" },
        { "probe {closed} --profile profile.yaml", ExitCodes.BadInput, "bad profile" },
        // Devices that cannot be reached or do not behave.
        { "probe {closed} --profile v2g-charger --json", ExitCodes.Unreachable, "connection refused" },
        { "probe modbus-rtu:///dev/no-such-tty-for-gateway?baud=9600 --profile v2g-charger", ExitCodes.Unreachable, "(errno 2) — no such device: is the adapter plugged in?" },
        { "probe {hostile} --unit 3 --profile v2g-charger --timeout 10 --json", ExitCodes.DeviceException, "carries unit id 4 for a request to unit 3" },
        { "scan tcp://127.0.0.1:502", ExitCodes.BadInput, "is not modbus-tcp://HOST:PORT" },
        { "scan {closed} --units 7-3", ExitCodes.BadInput, "--units '7-3'" },
        { "scan {closed} --parallel 0 --json", ExitCodes.BadInput, "--parallel 0 must be 1–32" },
        { "scan {closed} --units 1-4", ExitCodes.Unreachable, "connection refused" },
        { "scan {hostile} --units 3 --timeout 5 --json", ExitCodes.Ok, "answers with a frame that breaks the protocol" },
        { "commission {closed} --yes", ExitCodes.BadInput, "--yes confirms --allow-write" },
        { "commission {closed} --step lots --json", ExitCodes.BadInput, "--step 'lots'" },
        { "commission {closed} --revert 2 --sample 5", ExitCodes.BadInput, "--sample 5 must be at most half of --revert 2" },
        { "commission {closed} --profile v2g-charger --report empty/r", ExitCodes.Unreachable, "connection refused" },
        // Files: missing, not YAML, not JSON, not a database, and rigs the simulators would refuse.
        { "run", ExitCodes.BadInput, "Option '--rig' is required" },
        { "run --rig missing.yaml", ExitCodes.BadInput, "file not found" },
        { "run --rig broken.yaml", ExitCodes.BadInput, "not valid YAML" },
        { "run --rig nan.yaml", ExitCodes.BadInput, "'.nan' is not a number" },
        { "run --rig soc150.yaml", ExitCodes.BadInput, "sim.socAtArrivalPercent: 150 is out of range [0, 100]" },
        { "run --rig leaves-early.yaml", ExitCodes.BadInput, "sim: 'departure' must be after 'arrival'" },
        { "run --rig dashboard.yaml", ExitCodes.BadInput, "is not a loopback address: a dashboard reachable from the network needs HTTPS" },
        { "clear", ExitCodes.BadInput, "Option '--input' is required" },
        { "clear --input missing.json", ExitCodes.BadInput, "missing.json" },
        { "clear --input broken.json", ExitCodes.BadInput, "malformed JSON" },
        { "schedule --scenario missing.yaml", ExitCodes.BadInput, "missing.yaml" },
        { "schedule --scenario broken.yaml", ExitCodes.BadInput, "not valid YAML" },
        { "schedule --iterations many", ExitCodes.BadInput, "many" },
        { "ledger", ExitCodes.BadInput, "Required command was not provided" },
        { "ledger verify --db missing.db", ExitCodes.BadInput, "no ledger file at missing.db" },
        { "ledger verify --db garbage.db", ExitCodes.BadInput, "is not an embedded ledger" },
        { "ledger show", ExitCodes.BadInput, "Option '--round' is required" },
        { "ledger backlog --journal garbage.db", ExitCodes.BadInput, "garbage.db" },
        { "compare --with missing --without missing", ExitCodes.BadInput, "rounds.csv" },
        { "compare --with empty", ExitCodes.BadInput, "give as many --without folders as --with folders" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Broken_input_gives_its_exit_code_and_a_line_never_a_stack_trace(string args, int exitCode, string why)
    {
        await using var hostile = args.Contains("{hostile}") ? new HostileModbusServer(HostileMode.WrongUnitId) : null;
        using var closed = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        closed.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var argv = args.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(a => a.Replace("{closed}", $"modbus-tcp://127.0.0.1:{((IPEndPoint)closed.LocalEndPoint!).Port}").Replace("{hostile}", hostile?.Endpoint ?? "")).ToArray();

        var (code, stdout, stderr) = await RunGatewayAsync(argv);
        var all = stdout + stderr;
        Assert.True(code == exitCode, $"exit {code}, expected {exitCode}: {all}");
        Assert.Contains(why, all);
        ProbeHostileServerTests.NoStackTrace(all);
        Assert.All(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => Assert.True(line.Length < 1000, line));
        if (argv.Contains("--json"))
        {
            using var json = JsonDocument.Parse(stdout);
            Assert.Equal(exitCode, json.RootElement.GetProperty("exitCode").GetInt32());
            if (exitCode != ExitCodes.Ok) Assert.False(string.IsNullOrWhiteSpace(json.RootElement.GetProperty("error").GetString()));
        }
    }

    private async Task<(int Code, string Out, string Err)> RunGatewayAsync(string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false, WorkingDirectory = _dir };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "gateway.dll"));
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["NO_COLOR"] = "1";
        using var process = Process.Start(info)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return (process.ExitCode, await stdout, await stderr);
    }
}
