namespace Gateway.Drivers.Modbus.Codec;

/// <summary>
/// FC16 (Modbus Application Protocol v1.1b3 §6.12). Request: function, address, quantity (1–123),
/// byte count 2 × quantity, registers. Response: function, address, quantity.
/// </summary>
internal sealed class WriteMultipleRegistersFunction : ModbusFunction
{
    public const int ResponseLength = 5;

    public override ModbusFunctionCode Code => ModbusFunctionCode.WriteMultipleRegisters;

    public static int RequestLength(int count) => 6 + 2 * count;

    public static int EncodeRequest(Span<byte> pdu, ushort address, ReadOnlySpan<ushort> values)
    {
        ModbusLimits.CheckQuantity(values.Length, ModbusLimits.MaxWriteRegisters, nameof(ModbusFunctionCode.WriteMultipleRegisters), nameof(values));
        ModbusLimits.CheckRange(address, values.Length, nameof(address));
        pdu[0] = (byte)ModbusFunctionCode.WriteMultipleRegisters;
        ModbusPdu.WriteUInt16(pdu, 1, address);
        ModbusPdu.WriteUInt16(pdu, 3, (ushort)values.Length);
        pdu[5] = (byte)(2 * values.Length);
        ModbusPdu.WriteRegisters(values, pdu[6..]);
        return 6 + 2 * values.Length;
    }

    public static void DecodeResponse(ReadOnlySpan<byte> pdu, byte unitId, ReadOnlySpan<byte> request)
    {
        ModbusPdu.CheckResponseHeader(pdu, unitId, ModbusFunctionCode.WriteMultipleRegisters);
        ModbusPdu.CheckLength(pdu, ResponseLength, ModbusFunctionCode.WriteMultipleRegisters, "§6.12");
        if (!pdu[1..5].SequenceEqual(request[1..5]))
        {
            throw new ModbusProtocolException("WriteMultipleRegisters response address/quantity do not match the request (Modbus Application Protocol v1.1b3 §6.12).");
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
        if (count < 1 || count > ModbusLimits.MaxWriteRegisters || byteCount != 2 * count || request.Length != 6 + byteCount)
        {
            return IllegalValue(response);
        }

        if (address + count > 0x10000)
        {
            return Failed(response, ModbusExceptionCode.IllegalDataAddress);
        }

        Span<ushort> values = stackalloc ushort[count];
        ModbusPdu.ReadRegisters(request[6..], values);
        var code = unit.WriteHoldingRegisters(address, values);
        if (code != ModbusExceptionCode.None)
        {
            return Failed(response, code);
        }

        request[..ResponseLength].CopyTo(response);
        return ResponseLength;
    }
}
