namespace Gateway.Drivers.Modbus.Codec;

/// <summary>
/// What the two single-write functions share (FC5 coil, FC6 register; Modbus Application Protocol v1.1b3 §6.5–6.6):
/// request and response are function, address, value, and the response echoes the request.
/// </summary>
internal abstract class WriteSingleFunction : ModbusFunction
{
    public const int Length = 5;

    public override int PredictRequestLength(ReadOnlySpan<byte> pduPrefix) => Length;

    public override int PredictResponseLength(ReadOnlySpan<byte> pduPrefix) => FixedShape(pduPrefix, Length);

    public override int Serve(ReadOnlySpan<byte> request, IModbusServerUnit unit, Span<byte> response)
    {
        if (request.Length != Length)
        {
            return IllegalValue(response);
        }

        var code = Write(unit, ModbusPdu.ReadUInt16(request, 1), ModbusPdu.ReadUInt16(request, 3));
        if (code != ModbusExceptionCode.None)
        {
            return Failed(response, code);
        }

        request.CopyTo(response);
        return Length;
    }

    /// <summary>Writes the request PDU.</summary>
    protected static int EncodeWrite(Span<byte> pdu, ModbusFunctionCode code, ushort address, ushort value)
    {
        pdu[0] = (byte)code;
        ModbusPdu.WriteUInt16(pdu, 1, address);
        ModbusPdu.WriteUInt16(pdu, 3, value);
        return Length;
    }

    /// <summary>Checks that the response echoes the request.</summary>
    protected static void CheckEcho(ReadOnlySpan<byte> pdu, byte unitId, ReadOnlySpan<byte> request, ModbusFunctionCode code, string section)
    {
        ModbusPdu.CheckResponseHeader(pdu, unitId, code);
        ModbusPdu.CheckLength(pdu, Length, code, section);
        if (!pdu.SequenceEqual(request))
        {
            throw new ModbusProtocolException($"{code} response does not echo the request (Modbus Application Protocol v1.1b3 {section}).");
        }
    }

    /// <summary>Applies the request's raw value to the unit; a value the function does not allow is exception 03.</summary>
    protected abstract ModbusExceptionCode Write(IModbusServerUnit unit, ushort address, ushort value);
}
