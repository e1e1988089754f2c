using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Gateway.Drivers.Modbus;
using Gateway.Runtime.Journal;
using Gateway.Reporting;
using Xunit.Abstractions;

namespace Gateway.Reliability.Tests.Soak;

/// <summary>
/// The soak: the gateway process trades a long run against N simulated devices while faults are switched on and off
/// at random (seeded) — devices silent, slow, answering exceptions or garbage, cutting the connection; the shared link
/// delayed, lossy or partitioned — and its memory, threads, handles, sockets and the journal's size are sampled from
/// /proc and the file system. It ends with a clean stop, <c>gateway ledger verify</c>, and the audit's zeros.
/// Under <c>dotnet test</c> it runs 100 devices for one simulated hour from 10:00 at 100× (CI, 36 s); scripts/soak.sh runs
/// 200 devices for the day from 00:00 at 100× (SOAK_HOURS, SOAK_SCALE, SOAK_DEVICES, SOAK_START, SOAK_SEED, SOAK_FIGURE, SOAK_RESULTS).
/// </summary>
[Collection(FaultMatrixCollection.Name)]
[Trait("Category", "Soak")]
public sealed class SoakTests(ITestOutputHelper output)
{
    private static double Env(string name, double fallback) =>
        double.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v > 0 ? v : fallback;

    [Fact]
    public async Task A_long_run_under_random_faults_stays_flat_and_loses_and_doubles_nothing()
    {
        var hours = Env("SOAK_HOURS", 1);
        var scale = Env("SOAK_SCALE", 100);
        var devices = (int)Env("SOAK_DEVICES", 100);
        var start = Environment.GetEnvironmentVariable("SOAK_START") is { Length: > 0 } st ? st : "2026-06-01T10:00:00Z";
        var seed = (int)Env("SOAK_SEED", 17);
        var wallSeconds = hours * 3600 / scale;
        output.WriteLine($"soak: {devices} devices, {hours} simulated h at {scale}× ({wallSeconds:0} s), seed {seed}");
        var random = new Random(seed);
        var phases = Stopwatch.StartNew();
        void Phase(string what) => output.WriteLine($"{phases.Elapsed.TotalSeconds,6:0.0} s  {what}");
        await using var site = await SoakSite.StartAsync(devices, scale, start, seed);
        Phase("simulators up");
        var journal = site.Rig.JournalPath;
        using var gateway = GatewayProcess.Run(site.RigPath, site.EndpointsFile, null, Path.Combine(site.Directory, "report"));
        var samples = new List<ProcessSample>();
        var faultLog = new List<string>();
        var watch = Stopwatch.StartNew();
        var sampleEvery = TimeSpan.FromSeconds(Math.Max(2, wallSeconds / 240));
        var nextSample = TimeSpan.Zero;
        var faulted = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
        var linkUntil = TimeSpan.Zero;
        var nextFault = TimeSpan.FromSeconds(wallSeconds * 0.05);
        var candidates = site.Sims.Rig.Devices.Where(d => d.Definition.Meter is null).Select(d => d.Id).ToList();
        int deviceFaults = 0, linkFaults = 0;
        // Trading has begun once the first round is dispatched (delivering); its close is part of the run.
        await Waits.UntilAsync(() => JournalView.TryRounds(journal).Any(r => r.State >= RoundState.Delivering), Waits.Long * 2, "the first round dispatched", gateway);
        Phase("the gateway started and dispatched its first round");
        watch.Restart();
        var faultsEnd = TimeSpan.FromSeconds(wallSeconds * 0.9);
        while (watch.Elapsed < TimeSpan.FromSeconds(wallSeconds))
        {
            Assert.False(gateway.HasExited, $"the gateway ended during the soak ({(gateway.HasExited ? gateway.ExitCode : 0)}):\n{gateway.Output}");
            var now = watch.Elapsed;
            if (now >= nextSample)
            {
                if (ProcessSample.Take(gateway.Id, now.TotalSeconds, now.TotalSeconds * scale / 3600, journal, JournalView.TryRounds(journal).Count) is { } s) samples.Add(s);
                nextSample = now + sampleEvery;
            }
            foreach (var (id, until) in faulted.Where(kv => kv.Value <= now).ToList())
            {
                site.Device(id).Faults.Current = ModbusFault.None;
                faulted.Remove(id);
            }
            if (linkUntil > TimeSpan.Zero && now >= linkUntil)
            {
                site.Proxy.Heal();
                site.Proxy.ToClient.Clear();
                site.Proxy.ToServer.Clear();
                linkUntil = TimeSpan.Zero;
            }
            if (now >= nextFault && now < faultsEnd)
            {
                var roll = random.NextDouble();
                var length = TimeSpan.FromSeconds(wallSeconds * (0.005 + random.NextDouble() * 0.03));
                if (roll < 0.7 && faulted.Count < Math.Max(1, devices / 20))
                {
                    var id = candidates[random.Next(candidates.Count)];
                    var fault = random.Next(5) switch
                    {
                        0 => new ModbusFault(ModbusFaultKind.NoAnswer),
                        1 => new ModbusFault(ModbusFaultKind.SlowAnswer, TimeSpan.FromMilliseconds(800 + random.Next(1500))),
                        2 => new ModbusFault(ModbusFaultKind.Exception, ExceptionCode: ModbusExceptionCode.ServerDeviceBusy),
                        3 => new ModbusFault(ModbusFaultKind.CorruptFrame),
                        _ => new ModbusFault(ModbusFaultKind.Disconnect),
                    };
                    site.Device(id).Faults.Current = fault;
                    faulted[id] = now + length;
                    deviceFaults++;
                    faultLog.Add($"{now.TotalSeconds:0}s {id} {fault.Kind} for {length.TotalSeconds:0.#}s");
                }
                else if (linkUntil == TimeSpan.Zero)
                {
                    var kind = random.Next(3);
                    if (kind == 0) { site.Proxy.ToClient.Delay = TimeSpan.FromMilliseconds(50 + random.Next(250)); site.Proxy.ToClient.Jitter = TimeSpan.FromMilliseconds(random.Next(200)); }
                    else if (kind == 1) site.Proxy.ToServer.DropProbability = 0.01 + random.NextDouble() * 0.04;
                    else length = TimeSpan.FromSeconds(Math.Min(length.TotalSeconds, 1 + random.NextDouble() * 3));
                    if (kind == 2) site.Proxy.Partition();
                    linkUntil = now + length;
                    linkFaults++;
                    faultLog.Add($"{now.TotalSeconds:0}s link {(kind == 0 ? "delay" : kind == 1 ? "loss" : "partition")} for {length.TotalSeconds:0.#}s");
                }
                nextFault = now + TimeSpan.FromSeconds(wallSeconds * (0.005 + random.NextDouble() * 0.02));
            }
            await Task.Delay(100);
        }

        // Heal everything, let the site trade one clean round, stop cleanly.
        foreach (var id in faulted.Keys) site.Device(id).Faults.Current = ModbusFault.None;
        site.Proxy.Heal();
        site.Proxy.ToClient.Clear();
        site.Proxy.ToServer.Clear();
        var healedAt = site.Writes.Now;
        // A round the journal did not hold at the heal (none of its setpoints went out under a fault) that set every device
        // and had each setpoint confirmed. Counting closed clean rounds after the heal needed two, as the first could have been
        // dispatched before it; and the stop below finishes this round (metered, settled) rather than the next one.
        var beforeHeal = JournalView.TryRounds(journal).Select(r => r.RoundId).ToHashSet(StringComparer.Ordinal);
        var dispatch = new SiteDispatch(site.Rig);
        await Waits.UntilAsync(() => dispatch.WholeRounds(journal, notAmong: beforeHeal) >= 1, Waits.Long * 2,
            () => "a round begun after the faults were healed, every device set and confirmed (" + dispatch.WhyNotWhole(journal) + ")", gateway);
        Phase("faults over and healed; a confirmed round after the heal");
        if (ProcessSample.Take(gateway.Id, watch.Elapsed.TotalSeconds, watch.Elapsed.TotalSeconds * scale / 3600, journal, JournalView.TryRounds(journal).Count) is { } last) samples.Add(last);
        gateway.Terminate();
        Assert.True(await gateway.WaitForExitAsync(TimeSpan.FromSeconds(120)), "the gateway did not stop on SIGTERM:\n" + gateway.Output);
        Assert.True(gateway.ExitCode == 0, $"the gateway exited {gateway.ExitCode}:\n{gateway.Output}");
        Phase("stopped (SIGTERM)");
        var (verified, verifyOutput) = await GatewayProcess.VerifyLedgerAsync(site.Rig.Ledger.EmbeddedPath);
        Assert.True(verified, verifyOutput);
        Phase("ledger verified");

        var audit = new RunAudit { Rig = site.Rig, Sims = site.Sims.Rig, JournalPath = journal, Writes = site.Writes };
        var row = audit.Count("soak", $"{devices} devices, {hours:0.##} simulated h at {scale}×: {deviceFaults} device faults and {linkFaults} link faults at random (seed {seed})", seed, verified,
            a => a.RecoveryAfter(healedAt, beforeHeal));
        row.Publish(output);
        Phase("audited");
        output.WriteLine("faults: " + string.Join("; ", faultLog.Take(40)) + (faultLog.Count > 40 ? $"; … {faultLog.Count} in all" : ""));
        var flat = Flatness(samples);
        output.WriteLine(flat.Describe());
        WriteOutputs(samples, row, flat, hours, scale, devices, deviceFaults, linkFaults);
        row.AssertSafe();
        Assert.True(deviceFaults + linkFaults >= 2, "no fault was switched on");
        Assert.True(samples.Count >= 8, $"only {samples.Count} samples");
        Assert.True(flat.RssGrowth <= 1.5, flat.Describe());
        Assert.True(flat.HandleGrowth <= 25, flat.Describe());
        Assert.True(flat.SocketGrowth <= 10, flat.Describe());
        Assert.True(flat.MaxWalMb <= 64, flat.Describe());
        Assert.True(flat.JournalBytesPerRoundGrowth <= 2, flat.Describe());
    }

    /// <summary>Second quarter (after warm-up) against the last quarter of the samples.</summary>
    internal sealed record FlatnessReport(double RssEarlyMb, double RssLateMb, double RssGrowth, int HandlesEarly, int HandlesLateMax, int HandleGrowth,
        int SocketsEarly, int SocketsLateMax, int SocketGrowth, double MaxWalMb, double JournalBytesPerRoundEarly, double JournalBytesPerRoundLate, double JournalBytesPerRoundGrowth,
        double MeasurementsMbEnd)
    {
        public string Describe() => string.Create(CultureInfo.InvariantCulture,
            $"RSS median {RssEarlyMb:0} MB → {RssLateMb:0} MB (×{RssGrowth:0.00}); handles {HandlesEarly} → max {HandlesLateMax} (+{HandleGrowth}); sockets {SocketsEarly} → max {SocketsLateMax} (+{SocketGrowth}); " +
            $"WAL max {MaxWalMb:0.0} MB; journal {JournalBytesPerRoundEarly / 1024:0.0} → {JournalBytesPerRoundLate / 1024:0.0} KiB per round (×{JournalBytesPerRoundGrowth:0.00}); measurement log {MeasurementsMbEnd:0.0} MB at the end");
    }

    internal static FlatnessReport Flatness(List<ProcessSample> samples)
    {
        var q = Math.Max(1, samples.Count / 4);
        var early = samples.Skip(q).Take(q).ToList();
        var late = samples.Skip(samples.Count - q).ToList();
        static double Median(IEnumerable<double> v) { var s = v.Order().ToList(); return s.Count == 0 ? 0 : s[s.Count / 2]; }
        var rssEarly = Median(early.Select(s => s.RssMb));
        var rssLate = Median(late.Select(s => s.RssMb));
        var hEarly = (int)Median(early.Select(s => (double)s.Handles));
        var hLate = late.Max(s => s.Handles);
        var sEarly = (int)Median(early.Select(s => (double)s.Sockets));
        var sLate = late.Max(s => s.Sockets);
        // Journal growth per round, over the second and the last quarter of the rounds (not of the samples): a run
        // too short for 8 rounds has no quarters to compare and counts as flat.
        var rounds = samples[^1].Rounds;
        double PerRound(double from, double to)
        {
            var a = samples.FirstOrDefault(s => s.Rounds >= rounds * from);
            var b = samples.LastOrDefault(s => s.Rounds <= rounds * to);
            return a is null || b is null || b.Rounds <= a.Rounds ? 0 : (b.JournalMb - a.JournalMb) * 1048576 / (b.Rounds - a.Rounds);
        }
        var perEarly = rounds >= 8 ? PerRound(0.25, 0.5) : 0;
        var perLate = rounds >= 8 ? PerRound(0.75, 1.0) : 0;
        return new FlatnessReport(rssEarly, rssLate, rssEarly == 0 ? 0 : rssLate / rssEarly, hEarly, hLate, hLate - hEarly, sEarly, sLate, sLate - sEarly,
            samples.Max(s => s.WalMb), perEarly, perLate, perEarly <= 0 || perLate <= 0 ? 1 : perLate / perEarly, samples[^1].MeasurementsMb);
    }

    private static void WriteOutputs(List<ProcessSample> samples, FaultRow row, FlatnessReport flat, double hours, double scale, int devices, int deviceFaults, int linkFaults)
    {
        if (Environment.GetEnvironmentVariable("SOAK_FIGURE") is { Length: > 0 } figure)
        {
            var step = Math.Max(1, samples.Count / 16);
            var categories = samples.Select((s, i) => i % step == 0 ? TimeSpan.FromHours(s.SimulatedHours).ToString(@"hh\:mm", CultureInfo.InvariantCulture) : "").ToList();
            var chart = new SvgChart($"Soak: {devices} devices, {hours:0.##} simulated h at {scale}×, {deviceFaults + linkFaults} random faults — the gateway process", categories)
            {
                XAxisLabel = "simulated time (hh:mm since start)", YAxisLabel = "MB / count", Width = 960, Height = 480,
            };
            chart.Add(new ChartSeries("resident memory, MB", samples.Select(s => s.RssMb).ToList()));
            chart.Add(new ChartSeries("open handles (fds)", samples.Select(s => (double)s.Handles).ToList()));
            chart.Add(new ChartSeries("sockets", samples.Select(s => (double)s.Sockets).ToList()));
            chart.Add(new ChartSeries("threads", samples.Select(s => (double)s.Threads).ToList()));
            chart.Add(new ChartSeries("journal + WAL, MB", samples.Select(s => s.JournalMb).ToList()));
            chart.Add(new ChartSeries("measurement log, MB", samples.Select(s => s.MeasurementsMb).ToList(), Dashed: true));
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(figure))!);
            File.WriteAllText(figure, chart.ToSvg());
        }
        if (Environment.GetEnvironmentVariable("SOAK_RESULTS") is { Length: > 0 } results)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(results))!);
            File.WriteAllText(results, JsonSerializer.Serialize(new { row, flat, samples = samples.Count, hours, scale, devices, deviceFaults, linkFaults,
                wallSeconds = samples.Count == 0 ? 0 : samples[^1].WallSeconds, first = samples.FirstOrDefault(), last = samples.LastOrDefault() }, new JsonSerializerOptions { WriteIndented = true }));
        }
    }
}
