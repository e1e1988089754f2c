using Gateway.Drivers.Modbus;

namespace Gateway.Testing;

/// <summary>
/// An <see cref="IModbusClient"/> that calls <see cref="IModbusServerUnit"/>s directly, with no
/// transport: drivers and register maps are tested against it, and it counts the requests so
/// tests can see how reads were grouped.
/// </summary>
public sealed class InMemoryModbusClient(Func<byte, IModbusServerUnit?> resolveUnit) : IModbusClient
{
    /// <summary>Every request, as (function code, address, count).</summary>
    public List<(byte Function, ushort Address, int Count)> Requests { get; } = [];

    /// <summary>A client with one unit.</summary>
    public static InMemoryModbusClient For(byte unitId, IModbusServerUnit unit) => new(id => id == unitId ? unit : null);

    public Task<bool[]> ReadCoilsAsync(byte unitId, ushort address, ushort count, CancellationToken cancellationToken = default)
    {
        var values = new bool[count];
        Check(unitId, 1, address, count, u => u.ReadCoils(address, values));
        return Task.FromResult(values);
    }

    public Task<bool[]> ReadDiscreteInputsAsync(byte unitId, ushort address, ushort count, CancellationToken cancellationToken = default)
    {
        var values = new bool[count];
        Check(unitId, 2, address, count, u => u.ReadDiscreteInputs(address, values));
        return Task.FromResult(values);
    }

    public Task<ushort[]> ReadHoldingRegistersAsync(byte unitId, ushort address, ushort count, CancellationToken cancellationToken = default)
    {
        if (count is < 1 or > 125) throw new ArgumentOutOfRangeException(nameof(count));
        var values = new ushort[count];
        Check(unitId, 3, address, count, u => u.ReadHoldingRegisters(address, values));
        return Task.FromResult(values);
    }

    public Task<ushort[]> ReadInputRegistersAsync(byte unitId, ushort address, ushort count, CancellationToken cancellationToken = default)
    {
        if (count is < 1 or > 125) throw new ArgumentOutOfRangeException(nameof(count));
        var values = new ushort[count];
        Check(unitId, 4, address, count, u => u.ReadInputRegisters(address, values));
        return Task.FromResult(values);
    }

    public Task WriteSingleCoilAsync(byte unitId, ushort address, bool value, CancellationToken cancellationToken = default)
    {
        Check(unitId, 5, address, 1, u => u.WriteCoils(address, [value]));
        return Task.CompletedTask;
    }

    public Task WriteSingleRegisterAsync(byte unitId, ushort address, ushort value, CancellationToken cancellationToken = default)
    {
        Check(unitId, 6, address, 1, u => u.WriteHoldingRegisters(address, [value]));
        return Task.CompletedTask;
    }

    public Task WriteMultipleCoilsAsync(byte unitId, ushort address, ReadOnlyMemory<bool> values, CancellationToken cancellationToken = default)
    {
        Check(unitId, 15, address, values.Length, u => u.WriteCoils(address, values.Span));
        return Task.CompletedTask;
    }

    public Task WriteMultipleRegistersAsync(byte unitId, ushort address, ReadOnlyMemory<ushort> values, CancellationToken cancellationToken = default)
    {
        if (values.Length is < 1 or > 123) throw new ArgumentOutOfRangeException(nameof(values));
        Check(unitId, 16, address, values.Length, u => u.WriteHoldingRegisters(address, values.Span));
        return Task.CompletedTask;
    }

    public Task<ushort[]> ReadWriteMultipleRegistersAsync(byte unitId, ushort readAddress, ushort readCount, ushort writeAddress, ReadOnlyMemory<ushort> values, CancellationToken cancellationToken = default)
    {
        var read = new ushort[readCount];
        Check(unitId, 23, writeAddress, values.Length, u =>
        {
            var code = u.WriteHoldingRegisters(writeAddress, values.Span);
            return code != ModbusExceptionCode.None ? code : u.ReadHoldingRegisters(readAddress, read);
        });
        return Task.FromResult(read);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private void Check(byte unitId, byte function, ushort address, int count, Func<IModbusServerUnit, ModbusExceptionCode> call)
    {
        Requests.Add((function, address, count));
        var unit = resolveUnit(unitId) ?? throw new ModbusDeviceException(unitId, function, ModbusExceptionCode.GatewayTargetDeviceFailedToRespond);
        var code = call(unit);
        if (code != ModbusExceptionCode.None) throw new ModbusDeviceException(unitId, function, code);
    }
}
