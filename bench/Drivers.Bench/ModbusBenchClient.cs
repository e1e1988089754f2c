using System.Diagnostics;
using System.Globalization;
using System.Runtime;
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
    private static readonly long MinimumWarmUpSeconds = long.TryParse(Environment.GetEnvironmentVariable("MODBUS_BENCH_WARMUP_SECONDS"), out long s) ? s : 10;

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

        // Steady state, as in a gateway that runs for days: read until the JIT has compiled nothing new for 2 s, at
        // least 10 s (MODBUS_BENCH_WARMUP_SECONDS) and at most 20 s. Tiered compilation (tier 0, instrumented tier,
        // tier 1) takes several seconds to reach the hot path, longest when pinned to one core beside the server
        // (seen in perf: code still at tier 0 3 s in, at tier 1 by 10 s).
        long started = Stopwatch.GetTimestamp();
        long quietSince = started;
        long compiled = JitInfo.GetCompiledMethodCount();
        while (true)
        {
            await client.ReadHoldingRegistersAsync(unit, 0, count);
            long t = Stopwatch.GetTimestamp();
            long compiledNow = JitInfo.GetCompiledMethodCount();
            if (compiledNow != compiled)
            {
                compiled = compiledNow;
                quietSince = t;
            }

            if ((t - started > MinimumWarmUpSeconds * Stopwatch.Frequency && t - quietSince > 2 * Stopwatch.Frequency) || t - started > (MinimumWarmUpSeconds + 10) * Stopwatch.Frequency)
            {
                break;
            }
        }

        var latencies = new double[1 << 22];
        Console.WriteLine("START");
        Console.Out.Flush();
        int n = 0;
        int gcStart = GC.CollectionCount(0);
        long allocatedStart = GC.GetTotalAllocatedBytes(precise: false);
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
        long allocated = GC.GetTotalAllocatedBytes(precise: false) - allocatedStart;
        int collections = GC.CollectionCount(0) - gcStart;
        double elapsed = (now - start) / (double)Stopwatch.Frequency;
        Array.Sort(latencies, 0, n);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RESULT reads={n} seconds={elapsed:0.000000} cpu_us={cpu:0} p50_us={latencies[n / 2]:0.0} p99_us={latencies[(int)(n * 0.99)]:0.0} bytes_per_read={allocated / (double)n:0} gen0_collections={collections}"));
        return 0;
    }
}
