using System.Globalization;
using Gateway.Drivers.Modbus;
using Gateway.Drivers.Serial;

namespace Gateway.Bench;

/// <summary>
/// Our RTU server as a process of its own: <c>Drivers.Bench serial-server DEVICE BAUD [ports|termios]</c> serves 1000
/// registers as units 1 and 2 (8E1), prints "READY DEVICE" and runs until its standard input closes.
/// </summary>
internal static class SerialBenchServer
{
    public static async Task<int> RunAsync(string[] args)
    {
        var settings = new SerialLineSettings(int.Parse(args[1], CultureInfo.InvariantCulture))
        {
            Driver = args.Length > 2 && args[2] == "termios" ? SerialDriver.Termios : SerialDriver.Ports,
        };
        var unit = new ModbusMemoryUnit(1000);
        unit.SetHoldingRegisters(0, Enumerable.Range(0, 1000).Select(i => (ushort)i).ToArray());
        await using var server = new ModbusRtuServer(args[0], settings, id => id is 1 or 2 ? unit : null);
        await server.StartAsync();
        Console.WriteLine($"READY {args[0]}");
        Console.Out.Flush();
        await Task.Run(() => Console.In.ReadToEnd());
        Console.Error.WriteLine($"served={server.Counters.Responses} malformed={server.Counters.MalformedFrames}");
        return 0;
    }
}
