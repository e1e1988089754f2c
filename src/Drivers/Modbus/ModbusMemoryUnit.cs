namespace Gateway.Drivers.Modbus;

/// <summary>
/// A plain in-memory Modbus unit: four tables of a fixed size, nothing behind them. Addresses
/// past the end of a table get exception 02. Useful as the register bank of a simulator or as
/// a test peer; thread-safe.
/// </summary>
internal sealed class ModbusMemoryUnit : IModbusServerUnit
{
    private readonly Lock _sync = new();
    private readonly bool[] _coils;
    private readonly bool[] _discreteInputs;
    private readonly ushort[] _holdingRegisters;
    private readonly ushort[] _inputRegisters;

    /// <summary>Creates a unit whose four tables each hold <paramref name="size"/> entries (1–65536).</summary>
    public ModbusMemoryUnit(int size = 65536)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(size, 65536);
        _coils = new bool[size];
        _discreteInputs = new bool[size];
        _holdingRegisters = new ushort[size];
        _inputRegisters = new ushort[size];
    }

    /// <summary>Sets input registers (read-only to clients) from the device side.</summary>
    public void SetInputRegisters(ushort address, ReadOnlySpan<ushort> values) => Write(_inputRegisters, address, values);

    /// <summary>Sets discrete inputs (read-only to clients) from the device side.</summary>
    public void SetDiscreteInputs(ushort address, ReadOnlySpan<bool> values) => Write(_discreteInputs, address, values);

    /// <summary>Sets holding registers from the device side.</summary>
    public void SetHoldingRegisters(ushort address, ReadOnlySpan<ushort> values) => Write(_holdingRegisters, address, values);

    /// <summary>Sets coils from the device side.</summary>
    public void SetCoils(ushort address, ReadOnlySpan<bool> values) => Write(_coils, address, values);

    /// <summary>A copy of holding registers, as a client would see them.</summary>
    public ushort[] GetHoldingRegisters(ushort address, int count) => Snapshot(_holdingRegisters, address, count);

    /// <summary>A copy of coils, as a client would see them.</summary>
    public bool[] GetCoils(ushort address, int count) => Snapshot(_coils, address, count);

    /// <inheritdoc />
    public ModbusExceptionCode ReadCoils(ushort address, Span<bool> values) => Read(_coils, address, values);

    /// <inheritdoc />
    public ModbusExceptionCode ReadDiscreteInputs(ushort address, Span<bool> values) => Read(_discreteInputs, address, values);

    /// <inheritdoc />
    public ModbusExceptionCode ReadHoldingRegisters(ushort address, Span<ushort> values) => Read(_holdingRegisters, address, values);

    /// <inheritdoc />
    public ModbusExceptionCode ReadInputRegisters(ushort address, Span<ushort> values) => Read(_inputRegisters, address, values);

    /// <inheritdoc />
    public ModbusExceptionCode WriteCoils(ushort address, ReadOnlySpan<bool> values) => Write(_coils, address, values);

    /// <inheritdoc />
    public ModbusExceptionCode WriteHoldingRegisters(ushort address, ReadOnlySpan<ushort> values) => Write(_holdingRegisters, address, values);

    private ModbusExceptionCode Read<T>(T[] table, ushort address, Span<T> values)
    {
        if (address + values.Length > table.Length)
        {
            return ModbusExceptionCode.IllegalDataAddress;
        }

        lock (_sync)
        {
            table.AsSpan(address, values.Length).CopyTo(values);
        }

        return ModbusExceptionCode.None;
    }

    private ModbusExceptionCode Write<T>(T[] table, ushort address, ReadOnlySpan<T> values)
    {
        if (address + values.Length > table.Length)
        {
            return ModbusExceptionCode.IllegalDataAddress;
        }

        lock (_sync)
        {
            values.CopyTo(table.AsSpan(address));
        }

        return ModbusExceptionCode.None;
    }

    private T[] Snapshot<T>(T[] table, ushort address, int count)
    {
        lock (_sync)
        {
            return table.AsSpan(address, count).ToArray();
        }
    }
}
