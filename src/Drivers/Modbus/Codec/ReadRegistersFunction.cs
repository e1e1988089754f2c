namespace Gateway.Drivers.Modbus.Codec;

/// <summary>
/// FC3/FC4 (Modbus Application Protocol v1.1b3 §6.3–6.4). Request: function, address, quantity
/// (1–125). Response: function, byte count 2 × quantity, registers big-endian.
/// </summary>
internal abstract class ReadRegistersFunction : ReadFunction<ushort>
{
    public static int EncodeRequest(Span<byte> pdu, ModbusFunctionCode code, ushort address, ushort count) =>
        EncodeReadRequest(pdu, code, address, count, ModbusLimits.MaxReadRegisters);

    public static ushort[] DecodeResponse(ReadOnlySpan<byte> pdu, byte unitId, ModbusFunctionCode code, ushort count)
    {
        ModbusPdu.CheckResponseHeader(pdu, unitId, code);
        if (pdu.Length < 2 || pdu[1] != 2 * count)
        {
            throw new ModbusProtocolException($"{code} response byte count {(pdu.Length < 2 ? -1 : pdu[1])} should be 2 × {count} (Modbus Application Protocol v1.1b3 §6.3).");
        }

        ModbusPdu.CheckLength(pdu, 2 + 2 * count, code, "§6.3");
        var values = new ushort[count];
        ModbusPdu.ReadRegisters(pdu[2..], values);
        return values;
    }

    protected override int MaxQuantity => ModbusLimits.MaxReadRegisters;

    protected override int Pack(ReadOnlySpan<ushort> values, Span<byte> destination)
    {
        ModbusPdu.WriteRegisters(values, destination);
        return 2 * values.Length;
    }
}

/// <summary>FC3, read holding registers.</summary>
internal sealed class ReadHoldingRegistersFunction : ReadRegistersFunction
{
    public override ModbusFunctionCode Code => ModbusFunctionCode.ReadHoldingRegisters;

    protected override ModbusExceptionCode Read(IModbusServerUnit unit, ushort address, Span<ushort> values) => unit.ReadHoldingRegisters(address, values);
}

/// <summary>FC4, read input registers.</summary>
internal sealed class ReadInputRegistersFunction : ReadRegistersFunction
{
    public override ModbusFunctionCode Code => ModbusFunctionCode.ReadInputRegisters;

    protected override ModbusExceptionCode Read(IModbusServerUnit unit, ushort address, Span<ushort> values) => unit.ReadInputRegisters(address, values);
}
