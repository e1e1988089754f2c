using Gateway.Drivers.Modbus.Rtu;
using Gateway.Drivers.Serial;

namespace Gateway.Drivers.Modbus;

/// <summary>
/// Modbus RTU client (master) on a serial line. One request at a time; the receive buffer is
/// flushed before each request and the answer's length predicted from its function code and
/// byte count, so a late answer to a timed-out request is never taken for the next one. Unit 0
/// is the broadcast address: writes to it are sent and not answered; reads are refused.
/// </summary>
/// <remarks>
/// Failures: <see cref="ModbusCommunicationException"/> when the port fails,
/// <see cref="ModbusTimeoutException"/> when the unit stays silent or its answer stops short,
/// <see cref="ModbusProtocolException"/> for a bad CRC or mismatched answer,
/// <see cref="ModbusDeviceException"/> for an exception response. No retries inside.
/// </remarks>
internal sealed class ModbusRtuClient : ModbusMaster
{
    /// <summary>Opens <paramref name="devicePath"/> (e.g. /dev/ttyUSB0) with <paramref name="settings"/>.</summary>
    /// <exception cref="ModbusCommunicationException">The port cannot be opened or configured.</exception>
    public ModbusRtuClient(string devicePath, SerialLineSettings settings, ModbusClientOptions? options = null)
        : base(Open(devicePath, settings, (options ?? new ModbusClientOptions()).Validate()))
    {
    }

    /// <summary>Runs over an already open channel (an in-memory line in tests); the client owns and disposes it.</summary>
    public ModbusRtuClient(ISerialChannel channel, SerialLineSettings settings, ModbusClientOptions? options = null)
        : base(Over(channel, settings, (options ?? new ModbusClientOptions()).Validate()))
    {
    }

    private static ModbusRtuTransport Open(string devicePath, SerialLineSettings settings, ModbusClientOptions options)
    {
        ISerialChannel port;
        try
        {
            port = SerialChannels.Open(devicePath, settings, options.TimeProvider);
        }
        catch (IOException ex)
        {
            throw new ModbusCommunicationException(ex.Message, ex);
        }

        return new ModbusRtuTransport(port, settings, options, devicePath);
    }

    private static ModbusRtuTransport Over(ISerialChannel channel, SerialLineSettings settings, ModbusClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(channel);
        settings.Validate();
        return new ModbusRtuTransport(channel, settings, options, "serial channel");
    }
}
