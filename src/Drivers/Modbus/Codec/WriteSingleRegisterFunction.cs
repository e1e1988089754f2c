namespace Gateway.Drivers.Modbus.Codec;

/// <summary>
/// FC6 (Modbus Application Protocol v1.1b3 §6.6). Request and response: function, address,
/// value. The response echoes the request.
/// </summary>
internal sealed class WriteSingleRegisterFunction : ModbusFunction
{
    public const int Length = 5;

    public override ModbusFunctionCode Code => ModbusFunctionCode.WriteSingleRegister;

    public static int EncodeRequest(Span<byte> pdu, ushort address, ushort value)
    {
        pdu[0] = (byte)ModbusFunctionCode.WriteSingleRegister;
        ModbusPdu.WriteUInt16(pdu, 1, address);
        ModbusPdu.WriteUInt16(pdu, 3, value);
        return Length;
    }

    public static void DecodeResponse(ReadOnlySpan<byte> pdu, byte unitId, ReadOnlySpan<byte> request)
    {
        ModbusPdu.CheckResponseHeader(pdu, unitId, ModbusFunctionCode.WriteSingleRegister);
        ModbusPdu.CheckLength(pdu, Length, ModbusFunctionCode.WriteSingleRegister, "§6.6");
        if (!pdu.SequenceEqual(request))
        {
            throw new ModbusProtocolException("WriteSingleRegister response does not echo the request (Modbus Application Protocol v1.1b3 §6.6).");
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
        ReadOnlySpan<ushort> values = [ModbusPdu.ReadUInt16(request, 3)];
        var code = unit.WriteHoldingRegisters(address, values);
        if (code != ModbusExceptionCode.None)
        {
            return Failed(response, code);
        }

        request.CopyTo(response);
        return Length;
    }
}
