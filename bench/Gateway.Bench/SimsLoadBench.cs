using System.Diagnostics;
using System.Globalization;
using Gateway.Drivers.Modbus;
using Gateway.Runtime.Devices;
using Gateway.DeviceSims.Hosting;
using Gateway.Rigs;
using Gateway.Runtime.Worker;

namespace Gateway.Bench;

/// <summary>
/// The simulators on their own: the cycle bench's rig served by device-sims, read by device drivers only (no poller,
/// no round, no journal), to tell whether device-sims can serve what a gateway of that size asks. Per endpoint one
/// Modbus TCP connection with <c>window</c> requests in flight and <c>window</c> readers going round its devices, each
/// read as the gateway reads it (the profile's register blocks). Reports device reads/s, read latency and the CPU of
/// device-sims and of the reading process.
/// </summary>
internal static class SimsLoadBench
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static async Task<int> RunAsync(int devices, int endpoints, int window, double seconds, string simsDll)
    {
        var dir = Directory.CreateTempSubdirectory("gw-sims-").FullName;
        try
        {
            var rigPath = Path.Combine(dir, "rig.yaml");
            await File.WriteAllTextAsync(rigPath, new GeneratedSite { Devices = devices, Endpoints = endpoints }.Yaml());
            await using var sims = await SimsProcess.StartAsync(simsDll, rigPath);
            var rig = RigLoader.Load(rigPath);
            var overrides = GatewayRuntime.ReadEndpointsFile(sims.EndpointsFile);
            var connector = new DeviceConnector(TimeProvider.System, new ModbusClientOptions { MaxConcurrentRequests = window, TimeProvider = TimeProvider.System });
            var links = rig.Devices.Select(d => connector.Open(d, overrides[d.Id])).ToList();
            var byEndpoint = links.GroupBy(l => overrides[l.Device.Id]).Select(g => g.ToList()).ToList();
            // Warm-up: every device read once (connections opened, SunSpec discovered, code compiled).
            await Task.WhenAll(links.Select(l => l.Driver.ReadAsync(CancellationToken.None)));

            var latencies = new List<double>[byEndpoint.Count * window];
            var failures = 0L;
            var me = Process.GetCurrentProcess();
            var cpu0 = me.TotalProcessorTime;
            var simsCpu0 = sims.Cpu();
            var wall = Stopwatch.StartNew();
            var until = TimeSpan.FromSeconds(seconds);
            var readers = new List<Task>();
            for (var e = 0; e < byEndpoint.Count; e++)
            {
                for (var w = 0; w < window; w++)
                {
                    var own = latencies[e * window + w] = [];
                    var group = byEndpoint[e];
                    var start = w;
                    readers.Add(Task.Run(async () =>
                    {
                        for (var i = start; wall.Elapsed < until; i += window)
                        {
                            var link = group[i % group.Count];
                            var t0 = Stopwatch.GetTimestamp();
                            try
                            {
                                await link.Driver.ReadAsync(CancellationToken.None).ConfigureAwait(false);
                                own.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
                            }
                            catch (Exception ex) when (ex is not OperationCanceledException)
                            {
                                Interlocked.Increment(ref failures);
                            }
                        }
                    }));
                }
            }
            await Task.WhenAll(readers);
            var elapsed = wall.Elapsed.TotalSeconds;
            me.Refresh();
            var cpu = (me.TotalProcessorTime - cpu0).TotalSeconds;
            var simsCpu = (sims.Cpu() - simsCpu0).TotalSeconds;
            var all = latencies.SelectMany(l => l).Order().ToList();
            double P(double p) => all.Count == 0 ? double.NaN : all[(int)Math.Round(p * (all.Count - 1))];
            Console.WriteLine("| devices | endpoints | window | device reads/s | failed | read p50 ms | p95 ms | p99 ms | device-sims CPU (share of cores) | device-sims CPU µs per read | reader CPU (share) |");
            Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            Console.WriteLine(string.Create(Inv, $"| {devices} | {endpoints} | {window} | {all.Count / elapsed:0} | {failures} | {P(0.5):0.0} | {P(0.95):0.0} | {P(0.99):0.0} | {simsCpu / elapsed / Environment.ProcessorCount * 100:0.0} % | {simsCpu * 1e6 / Math.Max(1, all.Count):0} | {cpu / elapsed / Environment.ProcessorCount * 100:0.0} % |"));
            // Devices behind one endpoint share its client: the first disposal closes it for the others.
            foreach (var link in links)
            {
                try { await link.DisposeAsync(); } catch (ObjectDisposedException) { }
            }
            return 0;
        }
        finally
        {
            try { Directory.Delete(dir, true); } catch (IOException) { }
        }
    }
}
