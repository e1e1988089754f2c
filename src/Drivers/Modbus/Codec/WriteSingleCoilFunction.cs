namespace Gateway.Drivers.Modbus.Codec;

/// <summary>
/// FC5 (Modbus Application Protocol v1.1b3 §6.5). Request and response: function, address,
/// value 0xFF00 (on) or 0x0000 (off); any other value is exception 03. The response echoes the request.
/// </summary>
internal sealed class WriteSingleCoilFunction : ModbusFunction
{
    public const int Length = 5;
    private const ushort On = 0xFF00;

    public override ModbusFunctionCode Code => ModbusFunctionCode.WriteSingleCoil;

    public static int EncodeRequest(Span<byte> pdu, ushort address, bool value)
    {
        pdu[0] = (byte)ModbusFunctionCode.WriteSingleCoil;
        ModbusPdu.WriteUInt16(pdu, 1, address);
        ModbusPdu.WriteUInt16(pdu, 3, value ? On : (ushort)0);
        return Length;
    }

    public static void DecodeResponse(ReadOnlySpan<byte> pdu, byte unitId, ReadOnlySpan<byte> request)
    {
        ModbusPdu.CheckResponseHeader(pdu, unitId, ModbusFunctionCode.WriteSingleCoil);
        ModbusPdu.CheckLength(pdu, Length, ModbusFunctionCode.WriteSingleCoil, "§6.5");
        if (!pdu.SequenceEqual(request))
        {
            throw new ModbusProtocolException("WriteSingleCoil response does not echo the request (Modbus Application Protocol v1.1b3 §6.5).");
        }
    }

    public override int PredictRequestLength(ReadOnlySpan<byte> pduPrefix) => Length;

    public override int PredictResponseLength(ReadOnlySpan<byte> pduPrefix) => FixedShape(pduPrefix, Length);

    public override int Serve(ReadOnlySpan<byte> request, IModbusServerUnit unit, Span<byte> response)
    {
        if (request.Length != Length)
        {
            return IllegalValue(response);
        }

        ushort address = ModbusPdu.ReadUInt16(request, 1);
        ushort value = ModbusPdu.ReadUInt16(request, 3);
        if (value != On && value != 0)
        {
            return IllegalValue(response);
        }

        ReadOnlySpan<bool> values = [value == On];
        var code = unit.WriteCoils(address, values);
        if (code != ModbusExceptionCode.None)
        {
            return Failed(response, code);
        }

        request.CopyTo(response);
        return Length;
    }
}
