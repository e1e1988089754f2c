using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Gateway.Bench;

/// <summary>
/// The side-by-side Modbus TCP benchmark, started by bench/modbus/run.sh as
/// <c>Drivers.Bench modbus --libmodbus-client PATH --libmodbus-server PATH [--repetitions 10] [--seconds 2] [--variants pinned,loaded,quiet]</c>.
/// </summary>
/// <remarks>
/// Every client and server is a process of its own, so each one's CPU time is its own. Per
/// repetition three pairs run one after the other, in a rotating order: our client → libmodbus's
/// server, libmodbus's client → libmodbus's server, libmodbus's client → our server (FC3, 10
/// registers, one request in flight). The first two compare the clients, the last two the servers;
/// ratios are taken within a repetition (same machine conditions) and reported as mean ± sd over
/// the repetitions. Variants: <c>pinned</c> — every client and server on CPU 0 (taskset), so the
/// two sides take turns on one core; <c>loaded</c> — unpinned, with one busy-looping process per
/// core started by the bench; <c>quiet</c> — unpinned, no load of the bench's own.
/// </remarks>
internal static class ModbusBenchRunner
{
    private const int Registers = 10;

    public static async Task<int> RunAsync(string[] args)
    {
        string? libmodbusClient = null;
        string? libmodbusServer = null;
        int repetitions = 10;
        double seconds = 2;
        string[] variants = ["pinned", "loaded", "quiet"];
        for (int i = 0; i < args.Length - 1; i += 2)
        {
            switch (args[i])
            {
                case "--libmodbus-client": libmodbusClient = args[i + 1]; break;
                case "--libmodbus-server": libmodbusServer = args[i + 1]; break;
                case "--repetitions": repetitions = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--seconds": seconds = double.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--variants": variants = args[i + 1].Split(','); break;
                default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
            }
        }

        if (libmodbusClient is null || libmodbusServer is null)
        {
            Console.Error.WriteLine("usage: modbus --libmodbus-client PATH --libmodbus-server PATH [--repetitions N] [--seconds S] [--variants pinned,loaded,quiet]");
            return 2;
        }

        Console.WriteLine($"Modbus TCP on loopback, FC3 x {Registers} registers, one request in flight; {repetitions} repetitions of {seconds:0.#} s per pair; {Environment.ProcessorCount} cores (shared machine, load average {LoadAverage()} at start)");
        foreach (var variant in variants)
        {
            await RunVariantAsync(variant, libmodbusClient, libmodbusServer, repetitions, seconds);
        }

        return 0;
    }

    private static async Task RunVariantAsync(string variant, string libmodbusClient, string libmodbusServer, int repetitions, double seconds)
    {
        bool pinned = variant == "pinned";
        var spinners = new List<Process>();
        if (variant == "loaded")
        {
            for (int i = 0; i < Environment.ProcessorCount; i++)
            {
                spinners.Add(Process.Start(new ProcessStartInfo("/bin/sh", ["-c", "while :; do :; done"]) { UseShellExecute = false })!);
            }
        }

        var ourServer = await BenchServer.StartAsync(Ours("modbus-server", "0"), pinned);
        var referenceServer = await BenchServer.StartAsync([libmodbusServer, "0"], pinned);
        var runs = new Dictionary<string, List<PairResult>> { ["ours → libmodbus"] = [], ["libmodbus → libmodbus"] = [], ["libmodbus → ours"] = [] };
        try
        {
            for (int rep = 0; rep < repetitions; rep++)
            {
                var pairs = new (string Name, string[] Client, BenchServer Server)[]
                {
                    ("ours → libmodbus", Ours("modbus-client", "127.0.0.1", referenceServer.Port.ToString(CultureInfo.InvariantCulture), Seconds(seconds), "1", "10"), referenceServer),
                    ("libmodbus → libmodbus", [libmodbusClient, "127.0.0.1", referenceServer.Port.ToString(CultureInfo.InvariantCulture), Seconds(seconds), "1", "10"], referenceServer),
                    ("libmodbus → ours", [libmodbusClient, "127.0.0.1", ourServer.Port.ToString(CultureInfo.InvariantCulture), Seconds(seconds), "1", "10"], ourServer),
                };
                for (int k = 0; k < pairs.Length; k++)
                {
                    var (name, client, server) = pairs[(rep + k) % pairs.Length];
                    runs[name].Add(await RunPairAsync(client, server, pinned));
                }
            }
        }
        finally
        {
            await ourServer.DisposeAsync();
            await referenceServer.DisposeAsync();
            foreach (var spinner in spinners)
            {
                spinner.Kill();
                await spinner.WaitForExitAsync();
                spinner.Dispose();
            }
        }

        Report(variant, runs);
    }

    private static void Report(string variant, Dictionary<string, List<PairResult>> runs)
    {
        string title = variant switch
        {
            "pinned" => "pinned: every client and server on CPU 0 (taskset -c 0)",
            "loaded" => $"loaded: unpinned, {Environment.ProcessorCount} busy-looping processes beside the benchmark",
            _ => "quiet: unpinned, no load of the benchmark's own",
        };
        var text = new StringBuilder();
        text.AppendLine().AppendLine($"### {title}").AppendLine();
        text.AppendLine("| client → server | reads/s | client CPU µs/read | server CPU µs/request | p50 µs | p99 µs |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|");
        foreach (var (name, results) in runs)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {Stat(results.Select(r => r.ReadsPerSecond), "N0")} | {Stat(results.Select(r => r.ClientCpuPerRead), "0.0")} | {Stat(results.Select(r => r.ServerCpuPerRead), "0.0")} | {Stat(results.Select(r => r.P50), "0")} | {Stat(results.Select(r => r.P99), "0")} |");
        }

        var ourClient = runs["ours → libmodbus"];
        var reference = runs["libmodbus → libmodbus"];
        var ourServer = runs["libmodbus → ours"];
        text.AppendLine();
        text.AppendLine("| ratio, ours / libmodbus (per repetition) | mean ± sd | median | goal |");
        text.AppendLine("|---|---:|---:|---|");
        text.AppendLine(CultureInfo.InvariantCulture, $"| client reads/s | {Stat(ourClient.Zip(reference, (o, r) => o.ReadsPerSecond / r.ReadsPerSecond), "0.00")} | {Median(ourClient.Zip(reference, (o, r) => o.ReadsPerSecond / r.ReadsPerSecond)):0.00} | ≥ 0.80 |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| client CPU per read | {Stat(ourClient.Zip(reference, (o, r) => o.ClientCpuPerRead / r.ClientCpuPerRead), "0.00")} | {Median(ourClient.Zip(reference, (o, r) => o.ClientCpuPerRead / r.ClientCpuPerRead)):0.00} | ≤ 1.00 |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| server requests/s | {Stat(ourServer.Zip(reference, (o, r) => o.ReadsPerSecond / r.ReadsPerSecond), "0.00")} | {Median(ourServer.Zip(reference, (o, r) => o.ReadsPerSecond / r.ReadsPerSecond)):0.00} | ≥ 0.80 |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| server CPU per request | {Stat(ourServer.Zip(reference, (o, r) => o.ServerCpuPerRead / r.ServerCpuPerRead), "0.00")} | {Median(ourServer.Zip(reference, (o, r) => o.ServerCpuPerRead / r.ServerCpuPerRead)):0.00} | ≤ 1.00 |");
        Console.Write(text.ToString());
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static string Stat(IEnumerable<double> values, string format)
    {
        var list = values.ToList();
        double mean = list.Average();
        double sd = list.Count > 1 ? Math.Sqrt(list.Sum(v => (v - mean) * (v - mean)) / (list.Count - 1)) : 0;
        return $"{mean.ToString(format, CultureInfo.InvariantCulture)} ± {sd.ToString(format, CultureInfo.InvariantCulture)}";
    }

    private static async Task<PairResult> RunPairAsync(string[] client, BenchServer server, bool pinned)
    {
        using var process = Process.Start(StartInfo(client, pinned)) ?? throw new InvalidOperationException($"cannot start {client[0]}");
        double serverCpuStart = double.NaN;
        string? result = null;
        var error = process.StandardError.ReadToEndAsync();
        while (await process.StandardOutput.ReadLineAsync() is { } line)
        {
            if (line == "START")
            {
                serverCpuStart = ProcessCpu.OfProcessMicroseconds(server.Pid);
            }
            else if (line.StartsWith("RESULT ", StringComparison.Ordinal))
            {
                result = line;
                break;
            }
        }

        double serverCpuEnd = ProcessCpu.OfProcessMicroseconds(server.Pid);
        await process.WaitForExitAsync();
        if (result is null || double.IsNaN(serverCpuStart))
        {
            throw new InvalidOperationException($"{client[0]} failed ({process.ExitCode}): {await error}");
        }

        var fields = result["RESULT ".Length..].Split(' ').Select(f => f.Split('=')).ToDictionary(f => f[0], f => double.Parse(f[1], CultureInfo.InvariantCulture));
        double reads = fields["reads"];
        return new PairResult(reads / fields["seconds"], fields["cpu_us"] / reads, (serverCpuEnd - serverCpuStart) / reads, fields["p50_us"], fields["p99_us"]);
    }

    private static ProcessStartInfo StartInfo(string[] command, bool pinned)
    {
        var info = new ProcessStartInfo(pinned ? "taskset" : command[0]) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        if (pinned)
        {
            info.ArgumentList.Add("-c");
            info.ArgumentList.Add("0");
            info.ArgumentList.Add(command[0]);
        }

        foreach (var arg in command.Skip(1))
        {
            info.ArgumentList.Add(arg);
        }

        return info;
    }

    /// <summary>This benchmark's own executable with a verb, runnable as a child process.</summary>
    private static string[] Ours(params string[] args)
    {
        string self = Environment.ProcessPath!;
        return Path.GetFileNameWithoutExtension(self) == "dotnet"
            ? [self, typeof(ModbusBenchRunner).Assembly.Location, .. args]
            : [self, .. args];
    }

    private static string Seconds(double seconds) => seconds.ToString(CultureInfo.InvariantCulture);

    private static string LoadAverage() => File.ReadAllText("/proc/loadavg").Split(' ')[0];

    private sealed record PairResult(double ReadsPerSecond, double ClientCpuPerRead, double ServerCpuPerRead, double P50, double P99);

    /// <summary>A server process that prints "LISTENING port" once bound and stops when its standard input closes (or is killed).</summary>
    private sealed class BenchServer : IAsyncDisposable
    {
        private readonly Process _process;

        private BenchServer(Process process, int port)
        {
            this._process = process;
            Port = port;
        }

        public int Port { get; }

        public int Pid => _process.Id;

        public static async Task<BenchServer> StartAsync(string[] command, bool pinned)
        {
            var process = Process.Start(StartInfo(command, pinned)) ?? throw new InvalidOperationException($"cannot start {command[0]}");
            string? line = await process.StandardOutput.ReadLineAsync();
            if (line is null || !line.StartsWith("LISTENING ", StringComparison.Ordinal))
            {
                process.Kill();
                throw new InvalidOperationException($"{command[0]} did not start: {line} {await process.StandardError.ReadToEndAsync()}");
            }

            return new BenchServer(process, int.Parse(line["LISTENING ".Length..], CultureInfo.InvariantCulture));
        }

        public async ValueTask DisposeAsync()
        {
            _process.StandardInput.Close();
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try
            {
                await _process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill();
                await _process.WaitForExitAsync();
            }

            _process.Dispose();
        }
    }
}
