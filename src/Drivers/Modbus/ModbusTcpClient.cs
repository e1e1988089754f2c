using Gateway.Drivers.Modbus.Tcp;

namespace Gateway.Drivers.Modbus;

/// <summary>
/// Modbus TCP client. Connects on the first request and again after the connection dropped;
/// matches answers to requests by transaction id, so a reply arriving after its request timed
/// out is discarded rather than taken for the next answer. One client reaches any number of
/// unit ids behind the same endpoint (e.g. a TCP-to-RTU gateway).
/// </summary>
/// <remarks>
/// Failures: <see cref="ModbusCommunicationException"/> when the endpoint is unreachable or the
/// connection breaks, <see cref="ModbusTimeoutException"/> when a sent request gets no answer in
/// <see cref="ModbusClientOptions.RequestTimeout"/>, <see cref="ModbusProtocolException"/> for a
/// malformed answer, <see cref="ModbusDeviceException"/> for an exception response. There are no
/// retries inside; compose them around the client.
/// </remarks>
public sealed class ModbusTcpClient : IModbusClient
{
    private readonly ModbusMaster _master;

    /// <summary>Creates a client for <paramref name="host"/>:<paramref name="port"/>; nothing is connected yet.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option or the port is out of range.</exception>
    public ModbusTcpClient(string host, int port, ModbusClientOptions? options = null)
    {
        _master = new ModbusMaster(new ModbusTcpTransport(host, port, (options ?? new ModbusClientOptions()).Validate()));
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
