using Gateway.Drivers.Modbus;

namespace Gateway.Drivers.Devices;

/// <summary>Opens the Modbus client for an endpoint URI and reports a failure in the device error contract.</summary>
public static class ModbusDeviceClient
{
    /// <summary>
    /// A client for <paramref name="endpoint"/> (<c>modbus-tcp://HOST:PORT</c> connects on first use;
    /// <c>modbus-rtu:///dev/ttyX?baud=…&amp;parity=…</c> opens the port now).
    /// </summary>
    /// <exception cref="FormatException">The endpoint is not a Modbus endpoint URI; the message says why.</exception>
    /// <exception cref="DeviceException">The serial port cannot be opened or configured (<see cref="DeviceErrorKind.Unreachable"/>; the
    /// message carries the errno and a hint).</exception>
    public static IModbusClient Open(string endpoint, ModbusClientOptions options)
    {
        var parsed = ModbusEndpoint.Parse(endpoint);
        try
        {
            return parsed.CreateClient(options);
        }
        catch (Exception e) when (e is not ArgumentException && DeviceFailures.Translate(e, parsed.ToString()) is { } failure)
        {
            throw failure;
        }
    }

    /// <summary>Whether <paramref name="endpoint"/> is a serial line, where one request at a time is all the bus carries.</summary>
    public static bool IsSerial(string endpoint) => endpoint.StartsWith("modbus-rtu://", StringComparison.OrdinalIgnoreCase);
}
