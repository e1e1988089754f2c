using System.Diagnostics;
using System.Globalization;
using Gateway.Drivers.Modbus;

namespace Gateway.Bench;

/// <summary>
/// Our TCP client as a process of its own, the counterpart of bench/modbus/libmodbus_client.c:
/// <c>Drivers.Bench modbus-client HOST PORT SECONDS UNIT COUNT</c> reads COUNT holding registers
/// in a loop, one request in flight, and prints the same START and RESULT lines (reads, seconds, CPU µs of
/// the measured window, p50, p99).
/// </summary>
internal static class ModbusBenchClient
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length != 5)
        {
            Console.Error.WriteLine("usage: modbus-client HOST PORT SECONDS UNIT COUNT");
            return 2;
        }

        string host = args[0];
        int port = int.Parse(args[1], CultureInfo.InvariantCulture);
        double seconds = double.Parse(args[2], CultureInfo.InvariantCulture);
        byte unit = byte.Parse(args[3], CultureInfo.InvariantCulture);
        ushort count = ushort.Parse(args[4], CultureInfo.InvariantCulture);
        await using var client = new ModbusTcpClient(host, port, new ModbusClientOptions { RequestTimeout = TimeSpan.FromSeconds(5) });

        // Warm-up by time, not count: tiered compilation (with its instrumented tier) settles about 1.5 s after start
        // on this machine (seen in perf: the ".NET Tiered Compilation" thread's samples); a gateway runs for days.
        long warmEnd = Stopwatch.GetTimestamp() + 2 * Stopwatch.Frequency;
        while (Stopwatch.GetTimestamp() < warmEnd)
        {
            await client.ReadHoldingRegistersAsync(unit, 0, count);
        }

        var latencies = new double[1 << 22];
        Console.WriteLine("START");
        Console.Out.Flush();
        int n = 0;
        double cpuStart = ProcessCpu.SelfMicroseconds();
        long start = Stopwatch.GetTimestamp();
        long end = start + (long)(seconds * Stopwatch.Frequency);
        long now = start;
        while (now < end && n < latencies.Length)
        {
            long before = now;
            await client.ReadHoldingRegistersAsync(unit, 0, count);
            now = Stopwatch.GetTimestamp();
            latencies[n++] = (now - before) * 1e6 / Stopwatch.Frequency;
        }

        double cpu = ProcessCpu.SelfMicroseconds() - cpuStart;
        double elapsed = (now - start) / (double)Stopwatch.Frequency;
        Array.Sort(latencies, 0, n);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RESULT reads={n} seconds={elapsed:0.000000} cpu_us={cpu:0} p50_us={latencies[n / 2]:0.0} p99_us={latencies[(int)(n * 0.99)]:0.0}"));
        return 0;
    }
}
