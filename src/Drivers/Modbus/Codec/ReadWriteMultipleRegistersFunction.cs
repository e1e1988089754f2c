namespace Gateway.Drivers.Modbus.Codec;

/// <summary>
/// FC23 (Modbus Application Protocol v1.1b3 §6.17). Request: function, read address, read
/// quantity (1–125), write address, write quantity (1–121), write byte count, registers.
/// Response: function, byte count 2 × read quantity, registers. The write happens before the read.
/// </summary>
internal sealed class ReadWriteMultipleRegistersFunction : ModbusFunction
{
    public override ModbusFunctionCode Code => ModbusFunctionCode.ReadWriteMultipleRegisters;

    public static int RequestLength(int writeCount) => 10 + 2 * writeCount;

    public static int EncodeRequest(Span<byte> pdu, ushort readAddress, ushort readCount, ushort writeAddress, ReadOnlySpan<ushort> values)
    {
        ModbusLimits.CheckQuantity(readCount, ModbusLimits.MaxReadWriteReadRegisters, "ReadWriteMultipleRegisters read", nameof(readCount));
        ModbusLimits.CheckQuantity(values.Length, ModbusLimits.MaxReadWriteWriteRegisters, "ReadWriteMultipleRegisters write", nameof(values));
        ModbusLimits.CheckRange(readAddress, readCount, nameof(readAddress));
        ModbusLimits.CheckRange(writeAddress, values.Length, nameof(writeAddress));
        pdu[0] = (byte)ModbusFunctionCode.ReadWriteMultipleRegisters;
        ModbusPdu.WriteUInt16(pdu, 1, readAddress);
        ModbusPdu.WriteUInt16(pdu, 3, readCount);
        ModbusPdu.WriteUInt16(pdu, 5, writeAddress);
        ModbusPdu.WriteUInt16(pdu, 7, (ushort)values.Length);
        pdu[9] = (byte)(2 * values.Length);
        ModbusPdu.WriteRegisters(values, pdu[10..]);
        return 10 + 2 * values.Length;
    }

    public static ushort[] DecodeResponse(ReadOnlySpan<byte> pdu, byte unitId, ushort readCount)
    {
        ModbusPdu.CheckResponseHeader(pdu, unitId, ModbusFunctionCode.ReadWriteMultipleRegisters);
        if (pdu.Length < 2 || pdu[1] != 2 * readCount)
        {
            throw new ModbusProtocolException($"ReadWriteMultipleRegisters response byte count {(pdu.Length < 2 ? -1 : pdu[1])} should be 2 × {readCount} (Modbus Application Protocol v1.1b3 §6.17).");
        }

        ModbusPdu.CheckLength(pdu, 2 + 2 * readCount, ModbusFunctionCode.ReadWriteMultipleRegisters, "§6.17");
        var values = new ushort[readCount];
        ModbusPdu.ReadRegisters(pdu[2..], values);
        return values;
    }

    public override int PredictRequestLength(ReadOnlySpan<byte> pduPrefix) => pduPrefix.Length < 10 ? 0 : 10 + pduPrefix[9];

    public override int PredictResponseLength(ReadOnlySpan<byte> pduPrefix) => ByteCountShape(pduPrefix);

    public override int Serve(ReadOnlySpan<byte> request, IModbusServerUnit unit, Span<byte> response)
    {
        if (request.Length < 10)
        {
            return IllegalValue(response);
        }

        ushort readAddress = ModbusPdu.ReadUInt16(request, 1);
        ushort readCount = ModbusPdu.ReadUInt16(request, 3);
        ushort writeAddress = ModbusPdu.ReadUInt16(request, 5);
        ushort writeCount = ModbusPdu.ReadUInt16(request, 7);
        int byteCount = request[9];
        if (readCount < 1 || readCount > ModbusLimits.MaxReadWriteReadRegisters
            || writeCount < 1 || writeCount > ModbusLimits.MaxReadWriteWriteRegisters
            || byteCount != 2 * writeCount || request.Length != 10 + byteCount)
        {
            return IllegalValue(response);
        }

        if (readAddress + readCount > 0x10000 || writeAddress + writeCount > 0x10000)
        {
            return Failed(response, ModbusExceptionCode.IllegalDataAddress);
        }

        Span<ushort> written = stackalloc ushort[writeCount];
        ModbusPdu.ReadRegisters(request[10..], written);
        var code = unit.WriteHoldingRegisters(writeAddress, written);
        if (code != ModbusExceptionCode.None)
        {
            return Failed(response, code);
        }

        Span<ushort> read = stackalloc ushort[readCount];
        code = unit.ReadHoldingRegisters(readAddress, read);
        if (code != ModbusExceptionCode.None)
        {
            return Failed(response, code);
        }

        response[0] = (byte)Code;
        response[1] = (byte)(2 * readCount);
        ModbusPdu.WriteRegisters(read, response[2..]);
        return 2 + 2 * readCount;
    }
}
