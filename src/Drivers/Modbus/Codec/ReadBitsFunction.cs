namespace Gateway.Drivers.Modbus.Codec;

/// <summary>
/// FC1/FC2 (Modbus Application Protocol v1.1b3 §6.1–6.2). Request: function, address, quantity
/// (1–2000). Response: function, byte count N = ⌈quantity/8⌉, N bytes of bits, LSB first.
/// </summary>
internal abstract class ReadBitsFunction : ReadFunction<bool>
{
    public static int EncodeRequest(Span<byte> pdu, ModbusFunctionCode code, ushort address, ushort count) =>
        EncodeReadRequest(pdu, code, address, count, ModbusLimits.MaxReadBits);

    public static bool[] DecodeResponse(ReadOnlySpan<byte> pdu, byte unitId, ModbusFunctionCode code, ushort count)
    {
        ModbusPdu.CheckResponseHeader(pdu, unitId, code);
        int byteCount = ModbusPdu.PackedBitBytes(count);
        if (pdu.Length < 2 || pdu[1] != byteCount)
        {
            throw new ModbusProtocolException($"{code} response byte count {(pdu.Length < 2 ? -1 : pdu[1])} should be ⌈{count}/8⌉ = {byteCount} (Modbus Application Protocol v1.1b3 §6.1).");
        }

        ModbusPdu.CheckLength(pdu, 2 + byteCount, code, "§6.1");
        var bits = new bool[count];
        ModbusPdu.UnpackBits(pdu[2..], bits);
        return bits;
    }

    protected override int MaxQuantity => ModbusLimits.MaxReadBits;

    protected override int Pack(ReadOnlySpan<bool> values, Span<byte> destination)
    {
        ModbusPdu.PackBits(values, destination);
        return ModbusPdu.PackedBitBytes(values.Length);
    }
}

/// <summary>FC1, read coils.</summary>
internal sealed class ReadCoilsFunction : ReadBitsFunction
{
    public override ModbusFunctionCode Code => ModbusFunctionCode.ReadCoils;

    protected override ModbusExceptionCode Read(IModbusServerUnit unit, ushort address, Span<bool> values) => unit.ReadCoils(address, values);
}

/// <summary>FC2, read discrete inputs.</summary>
internal sealed class ReadDiscreteInputsFunction : ReadBitsFunction
{
    public override ModbusFunctionCode Code => ModbusFunctionCode.ReadDiscreteInputs;

    protected override ModbusExceptionCode Read(IModbusServerUnit unit, ushort address, Span<bool> values) => unit.ReadDiscreteInputs(address, values);
}
