using System.Diagnostics;
using System.Net;
using Gateway.Drivers.Modbus;

namespace Gateway.Bench;

/// <summary>
/// <c>Drivers.Bench modbus-poll</c>: how long a poll of 100 devices takes through our client and
/// server in one process (100 unit ids behind one gateway, sequential and 16 in flight; 100
/// separate servers polled at once). Median / max of 20 polls.
/// </summary>
internal static class ModbusPollBench
{
    private const int Registers = 10;

    public static async Task<int> RunAsync()
    {
        const int rounds = 20;
        var units = Enumerable.Range(0, 248).Select(_ => new ModbusMemoryUnit(1000)).ToArray();
        await using var server = new ModbusTcpServer(new IPEndPoint(IPAddress.Loopback, 0), id => id is >= 1 and <= 247 ? units[id] : null);
        await server.StartAsync();
        int port = server.LocalEndpoint.Port;
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
        Print("100 unit ids behind one gateway, one request at a time", sequential);
        Print("100 unit ids behind one gateway, 16 in flight", concurrent);
        Print("100 servers, 100 connections, all at once", separate);
        return 0;
    }

    private static void Print(string name, List<double> durations)
    {
        durations.Sort();
        Console.WriteLine($"| {name} | {durations[durations.Count / 2]:0.0} | {durations[^1]:0.0} |");
    }
}
