using System.Diagnostics;
using System.Globalization;
using System.Text;
using Gateway.DeviceSims.Hosting;
using Gateway.Rigs;
using Gateway.Runtime.Scheduling;
using Gateway.Runtime.Worker;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Bench;

/// <summary>
/// The gateway's cycle at scale: N simulated devices (device-sims, a separate process, Modbus TCP
/// on loopback, spread over E server endpoints) polled once a real second, market rounds every 15 real seconds.
/// Measures the gateway process only: its own CPU time (user + system) per wall second as a share of the machine's
/// cores, so that other jobs on a shared machine do not count in it; memory; threads; polls actually completed; the
/// wall time between round starts; and the latency from the oldest measurement a round used to the last setpoint it
/// caused being confirmed.
/// </summary>
internal static class GatewayCycleBench
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static async Task<int> RunAsync(int devices, int rounds, string simsDll, int endpoints = 1, int warmupRounds = 0, double pollSeconds = 0)
    {
        if (rounds < 0) throw new ArgumentOutOfRangeException(nameof(rounds), rounds, "0 or more rounds");
        if (rounds == 0 && pollSeconds <= 0) throw new ArgumentException("0 rounds measure polling alone: give --poll-seconds S", nameof(pollSeconds));
        var yaml = new GeneratedSite { Devices = devices, Endpoints = endpoints }.Yaml();
        var dir = Directory.CreateTempSubdirectory("gw-bench-").FullName;
        var rigPath = Path.Combine(dir, "rig.yaml");
        await File.WriteAllTextAsync(rigPath, yaml);
        var sims = await SimsProcess.StartAsync(simsDll, rigPath);
        try
        {
            var endpointsFile = sims.EndpointsFile;
            var rig = RigLoader.Load(rigPath);
            var clock = new AcceleratedTimeProvider(rig.StartUtc!.Value + (TimeProvider.System.GetUtcNow().UtcDateTime - File.GetLastWriteTimeUtc(endpointsFile)) * rig.TimeScale, rig.TimeScale);
            await using var runtime = await GatewayRuntime.StartAsync(rig, NullLoggerFactory.Instance, GatewayRuntime.ReadEndpointsFile(endpointsFile), clock);
            await runtime.WaitForFirstPollAsync(TimeSpan.FromSeconds(60));
            if (pollSeconds > 0) await MeasurePollingAsync(runtime, sims, pollSeconds, rig.TimeScale);
            // Rounds before the measurement: the JIT compiles the round's and the dispatch's code in the first one (a
            // gateway runs for days; its steady state is what costs).
            for (var i = 0; i < warmupRounds; i++)
            {
                var o = await runtime.TickAsync();
                Console.Error.WriteLine($"warm-up round {i + 1}/{warmupRounds}: {o.Decision.Trades.Count} trades, {o.Setpoints.Count} setpoints");
            }

            if (rounds == 0)
            {
                // Polling alone: the round table would divide by nothing (no round ran, no wall time of its own).
                foreach (var g in runtime.Links.GroupBy(l => (l.State, l.LastError)))
                    Console.Error.WriteLine($"{g.Count()} links {g.Key.State}{(g.Key.LastError is { } e ? ": " + e : "")}");
                return 0;
            }
            var firstChance = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
            if (Environment.GetEnvironmentVariable("GW_BENCH_EXCEPTIONS") is not null)
                AppDomain.CurrentDomain.FirstChanceException += (_, e) => firstChance.AddOrUpdate(e.Exception.GetType().Name + ": " + e.Exception.Message, 1, (_, n) => n + 1);
            var me = Process.GetCurrentProcess();
            var cpu0 = me.TotalProcessorTime;
            var simsCpu0 = sims.Cpu();
            var polls0 = runtime.Poller.Polls;
            var failed0 = runtime.Poller.FailedPolls;
            var wall = Stopwatch.StartNew();
            var latencies = new List<double>();
            var toDecided = new List<double>();
            var toDispatched = new List<double>();
            var roundEnds = new List<double>();
            var phases = new List<Gateway.Runtime.Worker.RoundPhaseTimes>();
            var skipped = 0;
            var peakMb = 0.0;
            var peakThreads = 0;
            for (var i = 0; i < rounds; i++)
            {
                var o = await runtime.TickAsync();
                roundEnds.Add(wall.Elapsed.TotalSeconds);
                skipped += o.SkippedBefore.Count;
                if (o.Phases is { } p) phases.Add(p);
                if (o.Timing is { } t)
                {
                    latencies.Add((t.DispatchedUtc - t.OldestReadingUtc).TotalMilliseconds / rig.TimeScale);
                    toDecided.Add((t.DecidedUtc - t.OldestReadingUtc).TotalMilliseconds / rig.TimeScale);
                    toDispatched.Add((t.DispatchedUtc - t.DecidedUtc).TotalMilliseconds / rig.TimeScale);
                }
                me.Refresh();
                peakMb = Math.Max(peakMb, me.WorkingSet64 / 1048576.0);
                peakThreads = Math.Max(peakThreads, me.Threads.Count);
                var confirmed = o.Setpoints.Count(s => s.Status == Gateway.Runtime.Journal.SetpointStatus.Confirmed);
                Console.Error.WriteLine(string.Create(Inv, $"round {i + 1}/{rounds}: {o.Decision.Trades.Count} trades, {o.Setpoints.Count} setpoints ({confirmed} confirmed), {o.SkippedBefore.Count} intervals skipped before it, ended at {wall.Elapsed.TotalSeconds:0.0} s"));
            }
            var cpu = (me.TotalProcessorTime - cpu0).TotalSeconds;
            var simsCpu = (sims.Cpu() - simsCpu0).TotalSeconds;
            var seconds = wall.Elapsed.TotalSeconds;
            var polls = runtime.Poller.Polls - polls0;
            var failed = runtime.Poller.FailedPolls - failed0;
            // Between the ends of successive rounds: the first round's end depends on when the bench started.
            var periods = roundEnds.Zip(roundEnds.Skip(1), (a, b) => b - a).ToList();
            latencies.Sort();
            toDecided.Sort();
            toDispatched.Sort();
            var sb = new StringBuilder();
            sb.AppendLine(string.Create(Inv, $"| devices | endpoints | polls/s | failed polls | wall s | round period s | skipped intervals | gateway CPU (share of {Environment.ProcessorCount} cores) | CPU µs per poll | device-sims CPU (share) | peak working set MB | managed heap MB | threads | measurement → setpoint p50 ms | max ms | of it: reading → decided p50 ms | decided → dispatched p50 ms |"));
            sb.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            sb.AppendLine(string.Create(Inv, $"| {runtime.Links.Count} | {endpoints} | {polls / seconds:0} | {failed} | {seconds:0.0} | {(periods.Count > 0 ? periods.Average() : double.NaN):0.0} | {skipped} | {cpu / seconds / Environment.ProcessorCount * 100:0.0} % | {(polls > 0 ? cpu * 1e6 / polls : double.NaN):0} | {simsCpu / seconds / Environment.ProcessorCount * 100:0.0} % | {peakMb:0} | {GC.GetTotalMemory(false) / 1048576.0:0} | {peakThreads} | {Percentile(latencies, 0.5):0} | {latencies.DefaultIfEmpty(0).Max():0} | {Percentile(toDecided, 0.5):0} | {Percentile(toDispatched, 0.5):0} |"));
            if (phases.Count > 0)
            {
                // Where each round's wall time went (mean of the rounds): the steps outside the delivery wait decide whether the next
                // interval is still in its first tenth when this round closes.
                sb.AppendLine();
                sb.AppendLine("| devices | rounds | round began late s | fresh readings s | clear s | dispatch s | meters at start s | meters at end s | settle s |");
                sb.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
                sb.AppendLine(string.Create(Inv, $"| {runtime.Links.Count} | {phases.Count} | {phases.Average(p => p.LateSeconds):0.00} | {phases.Average(p => p.RefreshSeconds):0.00} | {phases.Average(p => p.ClearSeconds):0.00} | {phases.Average(p => p.DispatchSeconds):0.00} | {phases.Average(p => p.StartMetersSeconds):0.00} | {phases.Average(p => p.EndMetersSeconds):0.00} | {phases.Average(p => p.SettleSeconds):0.00} |"));
            }
            Console.WriteLine(sb.ToString());
            foreach (var (what, n) in firstChance.OrderByDescending(kv => kv.Value).Take(10)) Console.Error.WriteLine($"{n} x {what}");
            foreach (var g in runtime.Links.GroupBy(l => (l.State, l.LastError)))
                Console.Error.WriteLine($"{g.Count()} links {g.Key.State}{(g.Key.LastError is { } e ? ": " + e : "")}");
            return 0;
        }
        finally
        {
            await sims.DisposeAsync();
            if (Environment.GetEnvironmentVariable("GW_BENCH_KEEP") is null) { try { Directory.Delete(dir, true); } catch (IOException) { } }
            else Console.Error.WriteLine("kept " + dir);
        }
    }

    /// <summary>
    /// Polling alone, no round: polls completed and missed against what the devices' periods ask (missed: asked − good;
    /// slots skipped: the poller's own count of slots a poll overran), and the CPU of both processes, every 5 s, then in total.
    /// </summary>
    private static async Task MeasurePollingAsync(GatewayRuntime runtime, SimsProcess sims, double seconds, double timeScale)
    {
        var me = Process.GetCurrentProcess();
        var expectedPerSecond = runtime.Links.Sum(l => 1.0 / (l.Device.PollPeriod.TotalSeconds / timeScale));
        var cpu0 = me.TotalProcessorTime;
        var simsCpu0 = sims.Cpu();
        var polls0 = runtime.Poller.Polls;
        var failed0 = runtime.Poller.FailedPolls;
        var missed0 = runtime.Poller.MissedPolls;
        var wall = Stopwatch.StartNew();
        var samples = new List<(double Cpu, double Good)>();
        var (lastCpu, lastPolls, lastFailed, lastT) = (cpu0, polls0, failed0, 0.0);
        while (wall.Elapsed.TotalSeconds < seconds)
        {
            await Task.Delay(TimeSpan.FromSeconds(5));
            me.Refresh();
            var t = wall.Elapsed.TotalSeconds;
            var (cpu, polls, failed) = (me.TotalProcessorTime, runtime.Poller.Polls, runtime.Poller.FailedPolls);
            var good = (polls - lastPolls - (failed - lastFailed)) / (t - lastT);
            var share = (cpu - lastCpu).TotalSeconds / (t - lastT) / Environment.ProcessorCount * 100;
            samples.Add((share, good));
            Console.Error.WriteLine(string.Create(Inv, $"polling {t:0} s: {good:0} good polls/s of {expectedPerSecond:0} asked, {(failed - lastFailed) / (t - lastT):0} failed/s, gateway CPU {share:0.0} %, {me.WorkingSet64 / 1048576.0:0} MB, {runtime.Links.Count(l => l.State == Gateway.Runtime.Status.DeviceLinkState.Isolated)} isolated"));
            (lastCpu, lastPolls, lastFailed, lastT) = (cpu, polls, failed, t);
        }
        var elapsed = wall.Elapsed.TotalSeconds;
        var totalPolls = runtime.Poller.Polls - polls0;
        var totalFailed = runtime.Poller.FailedPolls - failed0;
        var goodPerSecond = (totalPolls - totalFailed) / elapsed;
        var slotsMissed = runtime.Poller.MissedPolls - missed0;
        var cpuShares = samples.Select(x => x.Cpu).ToList();
        var mean = cpuShares.Average();
        var sd = Math.Sqrt(cpuShares.Sum(x => (x - mean) * (x - mean)) / Math.Max(1, cpuShares.Count - 1));
        Console.WriteLine("| devices | polls asked/s | good polls/s | polls missed per minute | poll slots skipped per minute | failed polls | gateway CPU (share of cores, mean ± sd of 5 s samples) | device-sims CPU (share) | working set MB |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        Console.WriteLine(string.Create(Inv, $"| {runtime.Links.Count} | {expectedPerSecond:0} | {goodPerSecond:0} | {Math.Max(0, expectedPerSecond - goodPerSecond) * 60:0} | {slotsMissed * 60 / elapsed:0} | {totalFailed} | {mean:0.0} ± {sd:0.0} % | {(sims.Cpu() - simsCpu0).TotalSeconds / elapsed / Environment.ProcessorCount * 100:0.0} % | {me.WorkingSet64 / 1048576.0:0} |"));
        Console.WriteLine();
    }

    private static double Percentile(List<double> sorted, double p) => sorted.Count == 0 ? 0 : sorted[(int)Math.Clamp(Math.Round(p * (sorted.Count - 1)), 0, sorted.Count - 1)];
}
