using System.Globalization;
using System.Net;
using Gateway.Drivers.Modbus;

namespace Gateway.Bench;

/// <summary>
/// Our TCP server as a process of its own, the counterpart of bench/modbus/libmodbus_server.c:
/// <c>Drivers.Bench modbus-server PORT</c> serves 1000 registers on every unit id, prints
/// "LISTENING port" and runs until its standard input closes.
/// </summary>
internal static class ModbusBenchServer
{
    public static async Task<int> RunAsync(string[] args)
    {
        int port = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 0;
        var unit = new ModbusMemoryUnit(1000);
        unit.SetHoldingRegisters(0, Enumerable.Range(0, 1000).Select(i => (ushort)i).ToArray());
        await using var server = new ModbusTcpServer(new IPEndPoint(IPAddress.Loopback, port), _ => unit);
        await server.StartAsync();
        Console.WriteLine($"LISTENING {server.LocalEndpoint.Port}");
        Console.Out.Flush();
        // Blocks a thread of its own; the server's work runs on the thread pool as in the gateway.
        await Task.Run(() => Console.In.ReadToEnd());
        return 0;
    }
}
