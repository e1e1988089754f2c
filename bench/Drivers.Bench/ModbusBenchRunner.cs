using System.Diagnostics;
using System.Globalization;
using System.Net;
using Gateway.Drivers.Modbus;

namespace Gateway.Bench;

/// <summary>
/// Documented bench runner for the Modbus stack (see docs/readme-parts/modbus.md), started by
/// bench/modbus/run.sh as <c>Drivers.Bench modbus --libmodbus-client PATH --seconds N</c>.
/// Hosts one of our TCP servers on loopback, runs our client and libmodbus's C client against
/// it one after the other (FC3, 10 registers, one request in flight), prints one table; then
/// times a poll of 100 devices.
/// </summary>
internal static class ModbusBenchRunner
{
    private const int Registers = 10;

    public static async Task<int> RunAsync(string[] args)
    {
        string? libmodbusClient = null;
        double seconds = 5;
        for (int i = 0; i < args.Length - 1; i++)
        {
            if (args[i] == "--libmodbus-client")
            {
                libmodbusClient = args[i + 1];
            }
            else if (args[i] == "--seconds")
            {
                seconds = double.Parse(args[i + 1], CultureInfo.InvariantCulture);
            }
        }

        var units = Enumerable.Range(0, 248).Select(_ => new ModbusMemoryUnit(1000)).ToArray();
        await using var server = new ModbusTcpServer(new IPEndPoint(IPAddress.Loopback, 0), id => id is >= 1 and <= 247 ? units[id] : null);
        await server.StartAsync();
        int port = server.LocalEndpoint.Port;

        string inline = Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") == "1" ? "inline socket completions" : "default socket completions";
        Console.WriteLine($"Modbus TCP loopback, FC3 x {Registers} registers, 1 request in flight, {seconds:0.#} s per client, server: ours, {inline} ({Environment.ProcessorCount} cores, shared machine)");
        // The machine is shared and its load drifts: alternate one-second slices of each client so
        // both see the same conditions, and pool the slices.
        int slices = Math.Max(1, (int)Math.Round(seconds));
        var ourSlices = new List<Slice>();
        var referenceSlices = new List<Slice>();
        await using (var warm = new ModbusTcpClient("127.0.0.1", port))
        {
            for (int i = 0; i < 2000; i++)
            {
                await warm.ReadHoldingRegistersAsync(1, 0, Registers);
            }
        }

        for (int i = 0; i < slices; i++)
        {
            ourSlices.Add(await RunOurClientAsync(port, seconds / slices));
            if (libmodbusClient is not null)
            {
                referenceSlices.Add(await RunLibmodbusAsync(libmodbusClient, port, seconds / slices));
            }
        }

        var ours = Pool(ourSlices);
        Result? reference = libmodbusClient is null ? null : Pool(referenceSlices);

        Console.WriteLine();
        Console.WriteLine("| client | reads/s | p50 µs | p99 µs |");
        Console.WriteLine("|---|---:|---:|---:|");
        Print("Gateway.Drivers ModbusTcpClient", ours);
        if (reference is not null)
        {
            Print("libmodbus 3.1 (C)", reference);
            Console.WriteLine();
            Console.WriteLine($"ours / libmodbus throughput: {ours.ReadsPerSecond / reference.ReadsPerSecond:P0} (goal ≥ 80 %)");
        }

        Console.WriteLine();
        await PollHundredDevicesAsync(port);
        return 0;
    }

    private static void Print(string name, Result r) =>
        Console.WriteLine($"| {name} | {r.ReadsPerSecond:N0} | {r.P50Microseconds:0.0} | {r.P99Microseconds:0.0} |");

    private static Result Pool(List<Slice> slices)
    {
        var latencies = slices.SelectMany(s => s.Latencies).Order().ToList();
        double elapsed = slices.Sum(s => s.Seconds);
        return new Result(latencies.Count / elapsed, latencies[latencies.Count / 2], latencies[(int)(latencies.Count * 0.99)]);
    }

    private static async Task<Slice> RunOurClientAsync(int port, double seconds)
    {
        await using var client = new ModbusTcpClient("127.0.0.1", port);
        for (int i = 0; i < 200; i++)
        {
            await client.ReadHoldingRegistersAsync(1, 0, Registers);
        }

        var latencies = new List<double>(1 << 20);
        long start = Stopwatch.GetTimestamp();
        long end = start + (long)(seconds * Stopwatch.Frequency);
        long now = start;
        while (now < end)
        {
            long before = Stopwatch.GetTimestamp();
            await client.ReadHoldingRegistersAsync(1, 0, Registers);
            now = Stopwatch.GetTimestamp();
            latencies.Add((now - before) * 1e6 / Stopwatch.Frequency);
        }

        return new Slice((now - start) / (double)Stopwatch.Frequency, latencies);
    }

    private static async Task<Slice> RunLibmodbusAsync(string path, int port, double seconds)
    {
        var info = new ProcessStartInfo(path) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "127.0.0.1", port.ToString(CultureInfo.InvariantCulture), seconds.ToString(CultureInfo.InvariantCulture), "1", Registers.ToString(CultureInfo.InvariantCulture) })
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {path}");
        string output = await process.StandardOutput.ReadToEndAsync();
        string error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var line = output.Split('\n').FirstOrDefault(l => l.StartsWith("RESULT ", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"libmodbus client failed ({process.ExitCode}): {output} {error}");
        var fields = line["RESULT ".Length..].Split(' ').Select(f => f.Split('=')).ToDictionary(f => f[0], f => double.Parse(f[1], CultureInfo.InvariantCulture));
        var latencies = output.Split('\n').Where(l => l.StartsWith("L ", StringComparison.Ordinal)).Select(l => double.Parse(l[2..], CultureInfo.InvariantCulture)).ToList();
        return new Slice(fields["seconds"], latencies);
    }

    private static async Task PollHundredDevicesAsync(int port)
    {
        const int rounds = 20;
        await using var gateway = new ModbusTcpClient("127.0.0.1", port);
        await using var pipelined = new ModbusTcpClient("127.0.0.1", port, new ModbusClientOptions { MaxConcurrentRequests = 16 });
        var sequential = new List<double>();
        var concurrent = new List<double>();
        for (int round = 0; round < rounds + 2; round++)
        {
            long t0 = Stopwatch.GetTimestamp();
            for (byte id = 1; id <= 100; id++)
            {
                await gateway.ReadHoldingRegistersAsync(id, 0, Registers);
            }

            long t1 = Stopwatch.GetTimestamp();
            await Task.WhenAll(Enumerable.Range(1, 100).Select(id => pipelined.ReadHoldingRegistersAsync((byte)id, 0, Registers)));
            long t2 = Stopwatch.GetTimestamp();
            if (round >= 2)
            {
                sequential.Add((t1 - t0) * 1e3 / Stopwatch.Frequency);
                concurrent.Add((t2 - t1) * 1e3 / Stopwatch.Frequency);
            }
        }

        // 100 separate devices: 100 servers, 100 clients, polled concurrently.
        var servers = new List<ModbusTcpServer>();
        var clients = new List<ModbusTcpClient>();
        var unit = new ModbusMemoryUnit(1000);
        var separate = new List<double>();
        try
        {
            for (int i = 0; i < 100; i++)
            {
                var s = new ModbusTcpServer(new IPEndPoint(IPAddress.Loopback, 0), _ => unit);
                await s.StartAsync();
                servers.Add(s);
                clients.Add(new ModbusTcpClient("127.0.0.1", s.LocalEndpoint.Port));
            }

            for (int round = 0; round < rounds + 2; round++)
            {
                long t0 = Stopwatch.GetTimestamp();
                await Task.WhenAll(clients.Select(c => c.ReadHoldingRegistersAsync(1, 0, Registers)));
                long t1 = Stopwatch.GetTimestamp();
                if (round >= 2)
                {
                    separate.Add((t1 - t0) * 1e3 / Stopwatch.Frequency);
                }
            }
        }
        finally
        {
            foreach (var c in clients)
            {
                await c.DisposeAsync();
            }

            foreach (var s in servers)
            {
                await s.DisposeAsync();
            }
        }

        Console.WriteLine($"Poll of 100 devices (FC3 x {Registers} registers each), median / max of {rounds} polls (goal < 100 ms):");
        Console.WriteLine();
        Console.WriteLine("| poll | median ms | max ms |");
        Console.WriteLine("|---|---:|---:|");
        PrintPoll("100 unit ids behind one gateway, one request at a time", sequential);
        PrintPoll("100 unit ids behind one gateway, 16 in flight", concurrent);
        PrintPoll("100 servers, 100 connections, all at once", separate);
    }

    private static void PrintPoll(string name, List<double> durations)
    {
        durations.Sort();
        Console.WriteLine($"| {name} | {durations[durations.Count / 2]:0.0} | {durations[^1]:0.0} |");
    }

    private sealed record Result(double ReadsPerSecond, double P50Microseconds, double P99Microseconds);

    private sealed record Slice(double Seconds, List<double> Latencies);
}
