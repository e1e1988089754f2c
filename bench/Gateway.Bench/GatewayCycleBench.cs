using System.Diagnostics;
using System.Globalization;
using System.Text;
using Gateway.Host.Rigs;
using Gateway.Host.Scheduling;
using Gateway.Host.Worker;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Bench;

/// <summary>
/// The gateway's cycle at scale: N simulated devices (device-sims, a separate process, Modbus TCP
/// on loopback) polled once a real second, market rounds every 15 real seconds. Measures the
/// gateway process only: CPU share of the machine's cores, memory, and the latency from the
/// oldest measurement a round used to the last setpoint it caused being confirmed.
/// </summary>
internal static class GatewayCycleBench
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static async Task<int> RunAsync(int devices, int rounds, string simsDll)
    {
        if (devices is < 3 or > 247) throw new ArgumentOutOfRangeException(nameof(devices), devices, "3–247 devices (one Modbus unit id each)");
        var dir = Directory.CreateTempSubdirectory("gw-bench-").FullName;
        var rigPath = Path.Combine(dir, "rig.yaml");
        await File.WriteAllTextAsync(rigPath, RigYaml(devices));
        var endpoints = Path.Combine(dir, "endpoints.json");
        using var sims = Process.Start(new ProcessStartInfo("dotnet") { ArgumentList = { simsDll, "--rig", rigPath, "--port-base", "0", "--endpoints-out", endpoints }, RedirectStandardOutput = true, RedirectStandardInput = true })!;
        try
        {
            while (!File.Exists(endpoints))
            {
                if (sims.HasExited) throw new InvalidOperationException("device-sims exited: " + await sims.StandardOutput.ReadToEndAsync());
                await Task.Delay(100);
            }
            var rig = RigLoader.Load(rigPath);
            var clock = new AcceleratedTimeProvider(rig.StartUtc!.Value + (TimeProvider.System.GetUtcNow().UtcDateTime - File.GetLastWriteTimeUtc(endpoints)) * rig.TimeScale, rig.TimeScale);
            await using var runtime = await GatewayRuntime.StartAsync(rig, NullLoggerFactory.Instance, GatewayRuntime.ReadEndpointsFile(endpoints), clock);
            await runtime.WaitForFirstPollAsync(TimeSpan.FromSeconds(30));

            var me = Process.GetCurrentProcess();
            var cpu0 = me.TotalProcessorTime;
            var wall = Stopwatch.StartNew();
            var latencies = new List<double>();
            var peakMb = 0.0;
            for (var i = 0; i < rounds; i++)
            {
                var o = await runtime.TickAsync();
                if (o.Timing is { } t) latencies.Add((t.DispatchedUtc - t.OldestReadingUtc).TotalMilliseconds / rig.TimeScale);
                me.Refresh();
                peakMb = Math.Max(peakMb, me.WorkingSet64 / 1048576.0);
                Console.Error.WriteLine(string.Create(Inv, $"round {i + 1}/{rounds}: {o.Decision.Trades.Count} trades, {o.Setpoints.Count} setpoints"));
            }
            var cpu = (me.TotalProcessorTime - cpu0).TotalSeconds;
            var seconds = wall.Elapsed.TotalSeconds;
            var polls = runtime.Links.Count * seconds;
            latencies.Sort();
            var sb = new StringBuilder();
            sb.AppendLine(string.Create(Inv, $"| devices | polls/s | wall s | gateway CPU (share of {Environment.ProcessorCount} cores) | peak working set MB | managed heap MB | measurement → setpoint p50 ms | max ms |"));
            sb.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|");
            sb.AppendLine(string.Create(Inv, $"| {runtime.Links.Count} | {polls / seconds:0} | {seconds:0.0} | {cpu / seconds / Environment.ProcessorCount * 100:0.0} % | {peakMb:0} | {GC.GetTotalMemory(false) / 1048576.0:0} | {Percentile(latencies, 0.5):0} | {latencies.DefaultIfEmpty(0).Max():0} |"));
            Console.WriteLine(sb.ToString());
            return 0;
        }
        finally
        {
            try { await sims.StandardInput.WriteLineAsync("quit"); if (!sims.WaitForExit(5000)) sims.Kill(true); } catch (InvalidOperationException) { }
            if (Environment.GetEnvironmentVariable("GW_BENCH_KEEP") is null) { try { Directory.Delete(dir, true); } catch (IOException) { } }
            else Console.Error.WriteLine("kept " + dir);
        }
    }

    private static double Percentile(List<double> sorted, double p) => sorted.Count == 0 ? 0 : sorted[(int)Math.Clamp(Math.Round(p * (sorted.Count - 1)), 0, sorted.Count - 1)];

    /// <summary>N devices (at most 247: unit ids): one SMES, one meter, a quarter PV, the rest V2G chargers, behind one Modbus TCP server.</summary>
    private static string RigYaml(int devices)
    {
        var sb = new StringBuilder();
        sb.AppendLine("site: bench\nstart: 2026-06-01T11:00:00Z\ntimeScale: 60\ndevices:");
        var pv = Math.Max(1, (devices - 2) / 4);
        for (var i = 1; i <= devices; i++)
        {
            var node = $"n{1 + i % 8}";
            string kind, profile, sim;
            if (i == 1) { kind = "smes"; profile = "smes-converter"; sim = "{ inductanceH: 80, maxCurrentA: 1500, minCurrentA: 100, initialCurrentA: 900, maxPowerKw: 200 }"; }
            else if (i == 2) { kind = "meter"; profile = "sunspec-meter"; sim = "{ }"; }
            else if (i <= 2 + pv) { kind = "pv-inverter"; profile = "sunspec-inverter"; sim = "{ ratedKwp: 8, irradiance: { clearSky: { peakWPerM2: 900, sunrise: \"06:00\", sunset: \"20:00\" } } }"; }
            else
            {
                kind = "charger"; profile = "v2g-charger";
                var seller = i % 3 == 0;
                sim = string.Create(Inv, $"{{ batteryKwh: 60, socAtArrivalPercent: {(seller ? 85 : 30)}, arrival: \"06:00\", departure: \"22:00\", targetSocPercent: {(seller ? 50 : 80)}, maxChargeKw: 7.4, maxDischargeKw: 7.4 }}");
            }
            // One server, a unit id per device (like a TCP-to-RTU gateway in front of a row of piles).
            sb.AppendLine($"  - {{ id: d{i:D3}, kind: {kind}, node: {node}, protocol: modbus-tcp, endpoint: \"127.0.0.1:0\", unitId: {i}, profile: {profile}, pollSeconds: 60, sim: {sim} }}");
        }
        sb.AppendLine("feeder:\n  root: n0\n  nodes: [ { id: n0 }, " + string.Join(", ", Enumerable.Range(1, 8).Select(n => $"{{ id: n{n} }}")) + " ]\n  lines:");
        for (var n = 1; n <= 8; n++) sb.AppendLine($"    - {{ id: L{n}, from: n0, to: n{n}, limitKw: {(n == 3 ? 20 : 400)} }}");
        sb.AppendLine("market:\n  intervalMinutes: 15\n  gridPrices: [ { from: \"00:00\", pricePerKwh: 0.62 }, { from: \"10:00\", pricePerKwh: 1.01 } ]\n  feedInPricePerKwh: 0.3\n  readBackSeconds: 8");
        sb.AppendLine("ledger: { kind: embedded, path: ledger.db }\njournal: { path: journal.db }");
        return sb.ToString();
    }
}
