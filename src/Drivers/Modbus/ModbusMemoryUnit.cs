namespace Gateway.Drivers.Modbus;

/// <summary>
/// A plain in-memory Modbus unit: four tables of a fixed size, nothing behind them. Addresses
/// past the end of a table get exception 02. Useful as the register bank of a simulator or as
/// a test peer; thread-safe.
/// </summary>
public sealed class ModbusMemoryUnit : IModbusServerUnit
{
    private readonly Lock sync = new();
    private readonly bool[] coils;
    private readonly bool[] discreteInputs;
    private readonly ushort[] holdingRegisters;
    private readonly ushort[] inputRegisters;

    /// <summary>Creates a unit whose four tables each hold <paramref name="size"/> entries (1–65536).</summary>
    public ModbusMemoryUnit(int size = 65536)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(size, 65536);
        coils = new bool[size];
        discreteInputs = new bool[size];
        holdingRegisters = new ushort[size];
        inputRegisters = new ushort[size];
    }

    /// <summary>Sets input registers (read-only to clients) from the device side.</summary>
    public void SetInputRegisters(ushort address, ReadOnlySpan<ushort> values) => Write(inputRegisters, address, values);

    /// <summary>Sets discrete inputs (read-only to clients) from the device side.</summary>
    public void SetDiscreteInputs(ushort address, ReadOnlySpan<bool> values) => Write(discreteInputs, address, values);

    /// <summary>Sets holding registers from the device side.</summary>
    public void SetHoldingRegisters(ushort address, ReadOnlySpan<ushort> values) => Write(holdingRegisters, address, values);

    /// <summary>Sets coils from the device side.</summary>
    public void SetCoils(ushort address, ReadOnlySpan<bool> values) => Write(coils, address, values);

    /// <summary>A copy of holding registers, as a client would see them.</summary>
    public ushort[] GetHoldingRegisters(ushort address, int count) => Snapshot(holdingRegisters, address, count);

    /// <summary>A copy of coils, as a client would see them.</summary>
    public bool[] GetCoils(ushort address, int count) => Snapshot(coils, address, count);

    /// <inheritdoc />
    public ModbusExceptionCode ReadCoils(ushort address, Span<bool> values) => Read(coils, address, values);

    /// <inheritdoc />
    public ModbusExceptionCode ReadDiscreteInputs(ushort address, Span<bool> values) => Read(discreteInputs, address, values);

    /// <inheritdoc />
    public ModbusExceptionCode ReadHoldingRegisters(ushort address, Span<ushort> values) => Read(holdingRegisters, address, values);

    /// <inheritdoc />
    public ModbusExceptionCode ReadInputRegisters(ushort address, Span<ushort> values) => Read(inputRegisters, address, values);

    /// <inheritdoc />
    public ModbusExceptionCode WriteCoils(ushort address, ReadOnlySpan<bool> values) => Write(coils, address, values);

    /// <inheritdoc />
    public ModbusExceptionCode WriteHoldingRegisters(ushort address, ReadOnlySpan<ushort> values) => Write(holdingRegisters, address, values);

    private ModbusExceptionCode Read<T>(T[] table, ushort address, Span<T> values)
    {
        if (address + values.Length > table.Length)
        {
            return ModbusExceptionCode.IllegalDataAddress;
        }

        lock (sync)
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

        lock (sync)
        {
            values.CopyTo(table.AsSpan(address));
        }

        return ModbusExceptionCode.None;
    }

    private T[] Snapshot<T>(T[] table, ushort address, int count)
    {
        lock (sync)
        {
            return table.AsSpan(address, count).ToArray();
        }
    }
}
