namespace Gateway.Drivers.Modbus.Codec;

/// <summary>
/// What the two read pairs share (FC1/FC2 bits, FC3/FC4 registers; Modbus Application Protocol v1.1b3 §6.1–6.4).
/// Request: function, address, quantity. Response: function, byte count, the values packed. The pairs differ only in
/// the value type, the quantity limit and how values are packed, so the server half is written once here.
/// </summary>
internal abstract class ReadFunction<T> : ModbusFunction
    where T : unmanaged
{
    public const int RequestLength = 5;

    /// <summary>The most values one request may ask for.</summary>
    protected abstract int MaxQuantity { get; }

    public override int PredictRequestLength(ReadOnlySpan<byte> pduPrefix) => RequestLength;

    public override int PredictResponseLength(ReadOnlySpan<byte> pduPrefix) => ByteCountShape(pduPrefix);

    public override int Serve(ReadOnlySpan<byte> request, IModbusServerUnit unit, Span<byte> response)
    {
        if (request.Length != RequestLength)
        {
            return IllegalValue(response);
        }

        ushort address = ModbusPdu.ReadUInt16(request, 1);
        ushort count = ModbusPdu.ReadUInt16(request, 3);
        if (count < 1 || count > MaxQuantity)
        {
            return IllegalValue(response);
        }

        if (address + count > 0x10000)
        {
            return Failed(response, ModbusExceptionCode.IllegalDataAddress);
        }

        Span<T> values = stackalloc T[count];
        var code = Read(unit, address, values);
        if (code != ModbusExceptionCode.None)
        {
            return Failed(response, code);
        }

        int byteCount = Pack(values, response[2..]);
        response[0] = (byte)Code;
        response[1] = (byte)byteCount;
        return 2 + byteCount;
    }

    /// <summary>Writes the request PDU for <paramref name="count"/> values from <paramref name="address"/>.</summary>
    protected static int EncodeReadRequest(Span<byte> pdu, ModbusFunctionCode code, ushort address, ushort count, int maxQuantity)
    {
        if (count < 1 || count > maxQuantity)
        {
            // Named only on failure: formatting the function's name on every read showed up in the profile.
            ModbusLimits.CheckQuantity(count, maxQuantity, code.ToString(), nameof(count));
        }
        ModbusLimits.CheckRange(address, count, nameof(address));
        pdu[0] = (byte)code;
        ModbusPdu.WriteUInt16(pdu, 1, address);
        ModbusPdu.WriteUInt16(pdu, 3, count);
        return RequestLength;
    }

    /// <summary>Packs the values read into <paramref name="destination"/>; returns the byte count.</summary>
    protected abstract int Pack(ReadOnlySpan<T> values, Span<byte> destination);

    protected abstract ModbusExceptionCode Read(IModbusServerUnit unit, ushort address, Span<T> values);
}
