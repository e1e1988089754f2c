using System.Diagnostics;
using System.Globalization;
using Gateway.Drivers.Modbus;
using Gateway.Drivers.Serial;

namespace Gateway.Bench;

/// <summary>
/// Our RTU client as a process of its own, on the serial driver asked for:
/// <c>Drivers.Bench serial-client DEVICE BAUD ports|termios WARMUP_SECONDS SECONDS IDLE_SECONDS</c> reads 10 holding
/// registers of unit 1 in a loop (one request at a time, 8E1), prints START, then RESULT (reads, seconds, CPU µs of
/// the measured window, p50, p99), then keeps the port open and silent for IDLE_SECONDS and prints IDLE (CPU µs of
/// that window): what the driver costs while a gateway waits for the next poll.
/// </summary>
internal static class SerialBenchClient
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length != 6)
        {
            Console.Error.WriteLine("usage: serial-client DEVICE BAUD ports|termios WARMUP_SECONDS SECONDS IDLE_SECONDS");
            return 2;
        }

        string device = args[0];
        var settings = new SerialLineSettings(int.Parse(args[1], CultureInfo.InvariantCulture))
        {
            Driver = args[2] == "termios" ? SerialDriver.Termios : SerialDriver.Ports,
        };
        double warmUp = double.Parse(args[3], CultureInfo.InvariantCulture);
        double seconds = double.Parse(args[4], CultureInfo.InvariantCulture);
        double idle = double.Parse(args[5], CultureInfo.InvariantCulture);
        await using var client = new ModbusRtuClient(device, settings, new ModbusClientOptions { RequestTimeout = TimeSpan.FromSeconds(2) });

        long warmEnd = Stopwatch.GetTimestamp() + (long)(warmUp * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < warmEnd)
        {
            await client.ReadHoldingRegistersAsync(1, 0, 10);
        }

        var latencies = new List<double>(1 << 16);
        Console.WriteLine("START");
        Console.Out.Flush();
        int timeouts = 0;
        double cpuStart = ProcessCpu.SelfMicroseconds();
        long start = Stopwatch.GetTimestamp();
        long end = start + (long)(seconds * Stopwatch.Frequency);
        long now = start;
        while (now < end)
        {
            long before = now;
            try
            {
                await client.ReadHoldingRegistersAsync(1, 0, 10);
            }
            catch (ModbusTimeoutException)
            {
                timeouts++;
            }

            now = Stopwatch.GetTimestamp();
            latencies.Add((now - before) * 1e6 / Stopwatch.Frequency);
        }

        double cpu = ProcessCpu.SelfMicroseconds() - cpuStart;
        double elapsed = (now - start) / (double)Stopwatch.Frequency;
        latencies.Sort();
        int n = latencies.Count;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RESULT reads={n - timeouts} timeouts={timeouts} seconds={elapsed:0.000000} cpu_us={cpu:0} p50_us={latencies[n / 2]:0.0} p99_us={latencies[(int)(n * 0.99)]:0.0}"));
        Console.Out.Flush();

        double idleStart = ProcessCpu.SelfMicroseconds();
        long idleBegin = Stopwatch.GetTimestamp();
        await Task.Delay(TimeSpan.FromSeconds(idle));
        double idleElapsed = (Stopwatch.GetTimestamp() - idleBegin) / (double)Stopwatch.Frequency;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"IDLE seconds={idleElapsed:0.000000} cpu_us={ProcessCpu.SelfMicroseconds() - idleStart:0}"));
        return 0;
    }
}
