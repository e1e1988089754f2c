namespace Gateway.Drivers.Modbus.Codec;

/// <summary>
/// FC3/FC4 (Modbus Application Protocol v1.1b3 §6.3–6.4). Request: function, address, quantity
/// (1–125). Response: function, byte count 2 × quantity, registers big-endian.
/// </summary>
internal abstract class ReadRegistersFunction : ModbusFunction
{
    public const int RequestLength = 5;

    public static int EncodeRequest(Span<byte> pdu, ModbusFunctionCode code, ushort address, ushort count)
    {
        if (count < 1 || count > ModbusLimits.MaxReadRegisters)
        {
            // Named only on failure: formatting the function's name on every read showed up in the profile.
            ModbusLimits.CheckQuantity(count, ModbusLimits.MaxReadRegisters, code.ToString(), nameof(count));
        }
        ModbusLimits.CheckRange(address, count, nameof(address));
        pdu[0] = (byte)code;
        ModbusPdu.WriteUInt16(pdu, 1, address);
        ModbusPdu.WriteUInt16(pdu, 3, count);
        return RequestLength;
    }

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
        if (count < 1 || count > ModbusLimits.MaxReadRegisters)
        {
            return IllegalValue(response);
        }

        if (address + count > 0x10000)
        {
            return Failed(response, ModbusExceptionCode.IllegalDataAddress);
        }

        Span<ushort> values = stackalloc ushort[count];
        var code = Read(unit, address, values);
        if (code != ModbusExceptionCode.None)
        {
            return Failed(response, code);
        }

        response[0] = (byte)Code;
        response[1] = (byte)(2 * count);
        ModbusPdu.WriteRegisters(values, response[2..]);
        return 2 + 2 * count;
    }

    protected abstract ModbusExceptionCode Read(IModbusServerUnit unit, ushort address, Span<ushort> values);
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
