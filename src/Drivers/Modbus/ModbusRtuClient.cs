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
public sealed class ModbusRtuClient : IModbusClient
{
    private readonly ModbusMaster _master;

    /// <summary>Opens <paramref name="devicePath"/> (e.g. /dev/ttyUSB0) with <paramref name="settings"/>.</summary>
    /// <exception cref="ModbusCommunicationException">The port cannot be opened or configured.</exception>
    public ModbusRtuClient(string devicePath, SerialLineSettings settings, ModbusClientOptions? options = null)
    {
        options = (options ?? new ModbusClientOptions()).Validate();
        ISerialChannel port;
        try
        {
            port = SerialChannels.Open(devicePath, settings, options.TimeProvider);
        }
        catch (IOException ex)
        {
            throw new ModbusCommunicationException(ex.Message, ex);
        }

        _master = new ModbusMaster(new ModbusRtuTransport(port, settings, options, devicePath));
    }

    /// <summary>Runs over an already open channel (an in-memory line in tests); the client owns and disposes it.</summary>
    public ModbusRtuClient(ISerialChannel channel, SerialLineSettings settings, ModbusClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(channel);
        settings.Validate();
        _master = new ModbusMaster(new ModbusRtuTransport(channel, settings, (options ?? new ModbusClientOptions()).Validate(), "serial channel"));
    }

    /// <inheritdoc />
    public Task<bool[]> ReadCoilsAsync(byte unitId, ushort address, ushort count, CancellationToken cancellationToken = default)
        => _master.ReadCoilsAsync(unitId, address, count, cancellationToken);

    /// <inheritdoc />
    public Task<bool[]> ReadDiscreteInputsAsync(byte unitId, ushort address, ushort count, CancellationToken cancellationToken = default)
        => _master.ReadDiscreteInputsAsync(unitId, address, count, cancellationToken);

    /// <inheritdoc />
    public Task<ushort[]> ReadHoldingRegistersAsync(byte unitId, ushort address, ushort count, CancellationToken cancellationToken = default)
        => _master.ReadHoldingRegistersAsync(unitId, address, count, cancellationToken);

    /// <inheritdoc />
    public Task<ushort[]> ReadInputRegistersAsync(byte unitId, ushort address, ushort count, CancellationToken cancellationToken = default)
        => _master.ReadInputRegistersAsync(unitId, address, count, cancellationToken);

    /// <inheritdoc />
    public Task WriteSingleCoilAsync(byte unitId, ushort address, bool value, CancellationToken cancellationToken = default)
        => _master.WriteSingleCoilAsync(unitId, address, value, cancellationToken);

    /// <inheritdoc />
    public Task WriteSingleRegisterAsync(byte unitId, ushort address, ushort value, CancellationToken cancellationToken = default)
        => _master.WriteSingleRegisterAsync(unitId, address, value, cancellationToken);

    /// <inheritdoc />
    public Task WriteMultipleCoilsAsync(byte unitId, ushort address, ReadOnlyMemory<bool> values, CancellationToken cancellationToken = default)
        => _master.WriteMultipleCoilsAsync(unitId, address, values, cancellationToken);

    /// <inheritdoc />
    public Task WriteMultipleRegistersAsync(byte unitId, ushort address, ReadOnlyMemory<ushort> values, CancellationToken cancellationToken = default)
        => _master.WriteMultipleRegistersAsync(unitId, address, values, cancellationToken);

    /// <inheritdoc />
    public Task<ushort[]> ReadWriteMultipleRegistersAsync(byte unitId, ushort readAddress, ushort readCount, ushort writeAddress, ReadOnlyMemory<ushort> values, CancellationToken cancellationToken = default)
        => _master.ReadWriteMultipleRegistersAsync(unitId, readAddress, readCount, writeAddress, values, cancellationToken);

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _master.DisposeAsync();
}
