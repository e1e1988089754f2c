using System.Diagnostics;
using System.Globalization;
using System.Text;
using MQTTnet.Formatter;

namespace Gateway.Bench.Mqtt;

/// <summary>
/// The side-by-side MQTT benchmark, started by bench/mqtt/run.sh as
/// <c>Drivers.Bench mqtt [--runs 10] [--messages 20000] [--paced-messages 2000] [--rate 1000] [--clients gateway,mqttnet5,mqttnet311,mosquitto] [--markdown FILE]</c>.
/// </summary>
/// <remarks>
/// One mosquitto on a free 127.0.0.1 port serves every client. Per run and QoS (0 and 1), each client in a rotating
/// order moves the same messages (64-byte payload) from a publisher to a subscriber twice: as fast as it goes
/// (throughput, CPU of the clients and of the broker per message) and paced at a fixed rate (latency from handing a
/// message to the publisher until the subscriber has it, p50 and p99 within a run). The table gives mean ± sd over
/// the runs. The .NET clients run in this process, so their CPU includes the runtime's (GC, thread pool); mosquitto's
/// clients are processes of their own and are measured by getrusage once they have ended.
/// </remarks>
internal static class MqttBenchRunner
{
    public static async Task<int> RunAsync(string[] args)
    {
        int runs = 10, messages = 20_000, pacedMessages = 2_000, rate = 1_000;
        string[] clientNames = ["gateway", "mqttnet5", "mqttnet311", "mosquitto"];
        string? markdown = null;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--runs": runs = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--messages": messages = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--paced-messages": pacedMessages = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--rate": rate = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--clients": clientNames = args[i + 1].Split(','); break;
                case "--markdown": markdown = args[i + 1]; break;
                default: Console.Error.WriteLine($"mqtt bench: unknown option {args[i]}"); return 2;
            }
        }
        if (args.Length % 2 != 0 || runs < 1 || messages < 1 || pacedMessages < 1 || rate < 1)
        {
            Console.Error.WriteLine("usage: mqtt [--runs N>=1] [--messages N] [--paced-messages N] [--rate MSG_PER_S] [--clients gateway,mqttnet5,mqttnet311,mosquitto] [--markdown FILE]");
            return 2;
        }
        var clients = new List<IMqttBenchClient>();
        foreach (var name in clientNames)
        {
            IMqttBenchClient? client = MqttBenchClients.Create(name);
            if (client is null)
            {
                Console.Error.WriteLine($"mqtt bench: unknown client \"{name}\" (known: {string.Join(", ", MqttBenchClients.Names)})");
                return 2;
            }
            clients.Add(client);
        }

        using var broker = MqttBenchBroker.Start();
        var header = $"MQTT on loopback through mosquitto {MosquittoVersion()}, {MqttBenchPayload.Bytes}-byte payload; {runs} runs; throughput: {messages} messages as fast as the client goes; latency: {pacedMessages} messages at {rate}/s; {Environment.ProcessorCount} cores (shared machine, load average {LoadAverage()} at start)";
        Console.WriteLine(header);
        var results = new Dictionary<(string Client, int Qos), List<(double Rate, double ClientCpu, double BrokerCpu, double P50, double P99)>>();
        var sequence = 0;
        for (var run = 0; run <= runs; run++)
        {
            var warmUp = run == 0; // the first round warms up JIT and sockets and is not counted
            foreach (var qos in new[] { 0, 1 })
            {
                for (var k = 0; k < clients.Count; k++)
                {
                    var client = clients[(k + run) % clients.Count];
                    using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
                    var brokerCpu = ProcessCpu.OfProcessMicroseconds(broker.ProcessId);
                    var fast = await client.RunAsync(new MqttBenchCase(broker.Port, $"bench/{sequence++}", qos, messages, 0), timeout.Token);
                    brokerCpu = ProcessCpu.OfProcessMicroseconds(broker.ProcessId) - brokerCpu;
                    var paced = await client.RunAsync(new MqttBenchCase(broker.Port, $"bench/{sequence++}", qos, pacedMessages, rate), timeout.Token);
                    if (warmUp) continue;
                    var sorted = paced.LatenciesMs.Order().ToArray();
                    var row = (messages / fast.Elapsed.TotalSeconds, fast.ClientCpuMicroseconds / messages, brokerCpu / messages,
                        Percentile(sorted, 0.50), Percentile(sorted, 0.99));
                    (results.TryGetValue((client.Name, qos), out var list) ? list : results[(client.Name, qos)] = []).Add(row);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  run {run,2} QoS {qos} {client.Name,-18} {row.Item1,9:0} msg/s  client {row.Item2,6:0.0} µs/msg  broker {row.Item3,5:0.0} µs/msg  latency p50 {row.Item4,6:0.000} ms p99 {row.Item5,7:0.000} ms"));
                }
            }
        }

        var table = new StringBuilder();
        table.AppendLine("| Client | QoS | Throughput (msg/s) | Client CPU (µs/msg) | Broker CPU (µs/msg) | Latency p50 (ms) | Latency p99 (ms) |");
        table.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var qos in new[] { 0, 1 })
        {
            foreach (var client in clients)
            {
                var rows = results[(client.Name, qos)];
                table.AppendLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {client.Name} | {qos} | {Format(rows.Select(r => r.Rate), "0")} | {Format(rows.Select(r => r.ClientCpu), "0.0")} | {Format(rows.Select(r => r.BrokerCpu), "0.0")} | {Format(rows.Select(r => r.P50), "0.000")} | {Format(rows.Select(r => r.P99), "0.000")} |"));
            }
        }
        Console.WriteLine();
        Console.Write(table);
        if (markdown is not null) await File.WriteAllTextAsync(markdown, header + "\n\n" + table);
        return 0;
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    private static string Format(IEnumerable<double> values, string format)
    {
        var v = values.ToArray();
        var mean = v.Average();
        var sd = v.Length > 1 ? Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1)) : 0;
        return mean.ToString(format, CultureInfo.InvariantCulture) + " ± " + sd.ToString(format, CultureInfo.InvariantCulture);
    }

    private static string LoadAverage()
    {
        try { return File.ReadAllText("/proc/loadavg").Split(' ')[0]; } catch (IOException) { return "?"; }
    }

    private static string MosquittoVersion()
    {
        using var process = Process.Start(new ProcessStartInfo("mosquitto_sub", ["--help"]) { UseShellExecute = false, RedirectStandardOutput = true })!;
        var text = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var at = text.IndexOf("version ", StringComparison.Ordinal);
        return at < 0 ? "?" : text[(at + 8)..].Split(' ')[0];
    }
}
