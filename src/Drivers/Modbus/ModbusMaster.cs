using Gateway.Drivers.Modbus.Codec;

namespace Gateway.Drivers.Modbus;

/// <summary>
/// The client half of every function code, whatever carries the frames: checks the spec's limits, encodes the request,
/// and decodes and checks the answer. <see cref="ModbusTcpClient"/> and <see cref="ModbusRtuClient"/> only choose the
/// _transport.
/// </summary>
public abstract class ModbusMaster : IModbusClient
{
    private readonly IModbusTransport _transport;

    private protected ModbusMaster(IModbusTransport transport) => _transport = transport;

    /// <inheritdoc />
    public Task<bool[]> ReadCoilsAsync(byte unitId, ushort address, ushort count, CancellationToken cancellationToken = default)
        => ReadBitsAsync(ModbusFunctionCode.ReadCoils, unitId, address, count, cancellationToken);

    /// <inheritdoc />
    public Task<bool[]> ReadDiscreteInputsAsync(byte unitId, ushort address, ushort count, CancellationToken cancellationToken = default)
        => ReadBitsAsync(ModbusFunctionCode.ReadDiscreteInputs, unitId, address, count, cancellationToken);

    /// <inheritdoc />
    public Task<ushort[]> ReadHoldingRegistersAsync(byte unitId, ushort address, ushort count, CancellationToken cancellationToken = default)
        => ReadRegistersAsync(ModbusFunctionCode.ReadHoldingRegisters, unitId, address, count, cancellationToken);

    /// <inheritdoc />
    public Task<ushort[]> ReadInputRegistersAsync(byte unitId, ushort address, ushort count, CancellationToken cancellationToken = default)
        => ReadRegistersAsync(ModbusFunctionCode.ReadInputRegisters, unitId, address, count, cancellationToken);

    /// <inheritdoc />
    public async Task WriteSingleCoilAsync(byte unitId, ushort address, bool value, CancellationToken cancellationToken = default)
    {
        var request = new byte[WriteSingleCoilFunction.Length];
        WriteSingleCoilFunction.EncodeRequest(request, address, value);
        var response = await _transport.TransactAsync(unitId, request, cancellationToken).ConfigureAwait(false);
        if (!response.IsEmpty)
        {
            WriteSingleCoilFunction.DecodeResponse(response.Span, unitId, request);
        }
    }

    /// <inheritdoc />
    public async Task WriteSingleRegisterAsync(byte unitId, ushort address, ushort value, CancellationToken cancellationToken = default)
    {
        var request = new byte[WriteSingleRegisterFunction.Length];
        WriteSingleRegisterFunction.EncodeRequest(request, address, value);
        var response = await _transport.TransactAsync(unitId, request, cancellationToken).ConfigureAwait(false);
        if (!response.IsEmpty)
        {
            WriteSingleRegisterFunction.DecodeResponse(response.Span, unitId, request);
        }
    }

    /// <inheritdoc />
    public async Task WriteMultipleCoilsAsync(byte unitId, ushort address, ReadOnlyMemory<bool> values, CancellationToken cancellationToken = default)
    {
        ModbusLimits.CheckQuantity(values.Length, ModbusLimits.MaxWriteBits, nameof(ModbusFunctionCode.WriteMultipleCoils), nameof(values));
        var request = new byte[WriteMultipleCoilsFunction.RequestLength(values.Length)];
        WriteMultipleCoilsFunction.EncodeRequest(request, address, values.Span);
        var response = await _transport.TransactAsync(unitId, request, cancellationToken).ConfigureAwait(false);
        if (!response.IsEmpty)
        {
            WriteMultipleCoilsFunction.DecodeResponse(response.Span, unitId, request);
        }
    }

    /// <inheritdoc />
    public async Task WriteMultipleRegistersAsync(byte unitId, ushort address, ReadOnlyMemory<ushort> values, CancellationToken cancellationToken = default)
    {
        ModbusLimits.CheckQuantity(values.Length, ModbusLimits.MaxWriteRegisters, nameof(ModbusFunctionCode.WriteMultipleRegisters), nameof(values));
        var request = new byte[WriteMultipleRegistersFunction.RequestLength(values.Length)];
        WriteMultipleRegistersFunction.EncodeRequest(request, address, values.Span);
        var response = await _transport.TransactAsync(unitId, request, cancellationToken).ConfigureAwait(false);
        if (!response.IsEmpty)
        {
            WriteMultipleRegistersFunction.DecodeResponse(response.Span, unitId, request);
        }
    }

    /// <inheritdoc />
    public async Task<ushort[]> ReadWriteMultipleRegistersAsync(byte unitId, ushort readAddress, ushort readCount, ushort writeAddress, ReadOnlyMemory<ushort> values, CancellationToken cancellationToken = default)
    {
        ModbusLimits.CheckQuantity(values.Length, ModbusLimits.MaxReadWriteWriteRegisters, "ReadWriteMultipleRegisters write", nameof(values));
        var request = new byte[ReadWriteMultipleRegistersFunction.RequestLength(values.Length)];
        ReadWriteMultipleRegistersFunction.EncodeRequest(request, readAddress, readCount, writeAddress, values.Span);
        var response = CheckAnswered(await _transport.TransactAsync(unitId, request, cancellationToken).ConfigureAwait(false), unitId);
        return ReadWriteMultipleRegistersFunction.DecodeResponse(response.Span, unitId, readCount);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _transport.DisposeAsync();

    private async Task<bool[]> ReadBitsAsync(ModbusFunctionCode code, byte unitId, ushort address, ushort count, CancellationToken cancellationToken)
    {
        var request = new byte[ReadBitsFunction.RequestLength];
        ReadBitsFunction.EncodeRequest(request, code, address, count);
        var response = CheckAnswered(await _transport.TransactAsync(unitId, request, cancellationToken).ConfigureAwait(false), unitId);
        return ReadBitsFunction.DecodeResponse(response.Span, unitId, code, count);
    }

    private async Task<ushort[]> ReadRegistersAsync(ModbusFunctionCode code, byte unitId, ushort address, ushort count, CancellationToken cancellationToken)
    {
        var request = new byte[ReadRegistersFunction.RequestLength];
        ReadRegistersFunction.EncodeRequest(request, code, address, count);
        var response = CheckAnswered(await _transport.TransactAsync(unitId, request, cancellationToken).ConfigureAwait(false), unitId);
        return ReadRegistersFunction.DecodeResponse(response.Span, unitId, code, count);
    }

    private static ReadOnlyMemory<byte> CheckAnswered(ReadOnlyMemory<byte> response, byte unitId)
    {
        if (response.IsEmpty)
        {
            throw new ArgumentException($"Unit id {unitId} is the broadcast address; a read needs an answer, so it cannot be broadcast (Modbus over Serial Line v1.02 §2.1).", nameof(unitId));
        }

        return response;
    }
}
