namespace Gateway.Drivers.Modbus.Codec;

/// <summary>
/// FC15 (Modbus Application Protocol v1.1b3 §6.11). Request: function, address, quantity (1–1968),
/// byte count ⌈quantity/8⌉, packed bits. Response: function, address, quantity.
/// </summary>
internal sealed class WriteMultipleCoilsFunction : ModbusFunction
{
    public const int ResponseLength = 5;

    public override ModbusFunctionCode Code => ModbusFunctionCode.WriteMultipleCoils;

    public static int RequestLength(int count) => 6 + ModbusPdu.PackedBitBytes(count);

    public static int EncodeRequest(Span<byte> pdu, ushort address, ReadOnlySpan<bool> values)
    {
        ModbusLimits.CheckQuantity(values.Length, ModbusLimits.MaxWriteBits, nameof(ModbusFunctionCode.WriteMultipleCoils), nameof(values));
        ModbusLimits.CheckRange(address, values.Length, nameof(address));
        int byteCount = ModbusPdu.PackedBitBytes(values.Length);
        pdu[0] = (byte)ModbusFunctionCode.WriteMultipleCoils;
        ModbusPdu.WriteUInt16(pdu, 1, address);
        ModbusPdu.WriteUInt16(pdu, 3, (ushort)values.Length);
        pdu[5] = (byte)byteCount;
        ModbusPdu.PackBits(values, pdu[6..]);
        return 6 + byteCount;
    }

    public static void DecodeResponse(ReadOnlySpan<byte> pdu, byte unitId, ReadOnlySpan<byte> request)
    {
        ModbusPdu.CheckResponseHeader(pdu, unitId, ModbusFunctionCode.WriteMultipleCoils);
        ModbusPdu.CheckLength(pdu, ResponseLength, ModbusFunctionCode.WriteMultipleCoils, "§6.11");
        if (!pdu[1..5].SequenceEqual(request[1..5]))
        {
            throw new ModbusProtocolException("WriteMultipleCoils response address/quantity do not match the request (Modbus Application Protocol v1.1b3 §6.11).");
        }
    }

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
        if (count < 1 || count > ModbusLimits.MaxWriteBits || byteCount != ModbusPdu.PackedBitBytes(count) || request.Length != 6 + byteCount)
        {
            return IllegalValue(response);
        }

        if (address + count > 0x10000)
        {
            return Failed(response, ModbusExceptionCode.IllegalDataAddress);
        }

        Span<bool> values = stackalloc bool[count];
        ModbusPdu.UnpackBits(request[6..], values);
        var code = unit.WriteCoils(address, values);
        if (code != ModbusExceptionCode.None)
        {
            return Failed(response, code);
        }

        request[..ResponseLength].CopyTo(response);
        return ResponseLength;
    }
}
