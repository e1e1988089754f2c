namespace Gateway.Drivers.Modbus.Codec;

/// <summary>
/// What the two multiple-write functions share (FC15 coils, FC16 registers; Modbus Application Protocol v1.1b3
/// §6.11–6.12). Request: function, address, quantity, byte count, the values packed. Response: function, address,
/// quantity. The pair differs only in the value type, the quantity limit and how values are packed.
/// </summary>
internal abstract class WriteMultipleFunction<T> : ModbusFunction
    where T : unmanaged
{
    public const int ResponseLength = 5;

    /// <summary>The most values one request may write.</summary>
    protected abstract int MaxQuantity { get; }

    public override int PredictRequestLength(ReadOnlySpan<byte> pduPrefix) => pduPrefix.Length < 6 ? 0 : 6 + pduPrefix[5];

    public override int PredictResponseLength(ReadOnlySpan<byte> pduPrefix) => FixedShape(pduPrefix, ResponseLength);

    public override int Serve(ReadOnlySpan<byte> request, IModbusServerUnit unit, Span<byte> response)
    {
        if (request.Length < 6)
        {
            return IllegalValue(response);
        }

        ushort address = ModbusPdu.ReadUInt16(request, 1);
        ushort count = ModbusPdu.ReadUInt16(request, 3);
        int byteCount = request[5];
        if (count < 1 || count > MaxQuantity || byteCount != PackedBytes(count) || request.Length != 6 + byteCount)
        {
            return IllegalValue(response);
        }

        if (address + count > 0x10000)
        {
            return Failed(response, ModbusExceptionCode.IllegalDataAddress);
        }

        Span<T> values = stackalloc T[count];
        Unpack(request[6..], values);
        var code = Write(unit, address, values);
        if (code != ModbusExceptionCode.None)
        {
            return Failed(response, code);
        }

        request[..ResponseLength].CopyTo(response);
        return ResponseLength;
    }

    /// <summary>Writes the request header for <paramref name="count"/> values; the caller packs them from byte 6.</summary>
    protected static void EncodeHeader(Span<byte> pdu, ModbusFunctionCode code, ushort address, int count, int byteCount)
    {
        pdu[0] = (byte)code;
        ModbusPdu.WriteUInt16(pdu, 1, address);
        ModbusPdu.WriteUInt16(pdu, 3, (ushort)count);
        pdu[5] = (byte)byteCount;
    }

    /// <summary>Checks that the response confirms the request's address and quantity.</summary>
    protected static void CheckConfirmation(ReadOnlySpan<byte> pdu, byte unitId, ReadOnlySpan<byte> request, ModbusFunctionCode code, string section)
    {
        ModbusPdu.CheckResponseHeader(pdu, unitId, code);
        ModbusPdu.CheckLength(pdu, ResponseLength, code, section);
        if (!pdu[1..5].SequenceEqual(request[1..5]))
        {
            throw new ModbusProtocolException($"{code} response address/quantity do not match the request (Modbus Application Protocol v1.1b3 {section}).");
        }
    }

    /// <summary>The byte count the spec requires for <paramref name="count"/> values.</summary>
    protected abstract int PackedBytes(int count);

    protected abstract void Unpack(ReadOnlySpan<byte> source, Span<T> values);

    protected abstract ModbusExceptionCode Write(IModbusServerUnit unit, ushort address, ReadOnlySpan<T> values);
}
