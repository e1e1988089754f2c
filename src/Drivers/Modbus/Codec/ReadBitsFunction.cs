namespace Gateway.Drivers.Modbus.Codec;

/// <summary>
/// FC1/FC2 (Modbus Application Protocol v1.1b3 §6.1–6.2). Request: function, address, quantity
/// (1–2000). Response: function, byte count N = ⌈quantity/8⌉, N bytes of bits, LSB first.
/// </summary>
internal abstract class ReadBitsFunction : ModbusFunction
{
    public const int RequestLength = 5;

    public static int EncodeRequest(Span<byte> pdu, ModbusFunctionCode code, ushort address, ushort count)
    {
        if (count < 1 || count > ModbusLimits.MaxReadBits)
        {
            // Named only on failure: formatting the function's name on every read showed up in the profile.
            ModbusLimits.CheckQuantity(count, ModbusLimits.MaxReadBits, code.ToString(), nameof(count));
        }
        ModbusLimits.CheckRange(address, count, nameof(address));
        pdu[0] = (byte)code;
        ModbusPdu.WriteUInt16(pdu, 1, address);
        ModbusPdu.WriteUInt16(pdu, 3, count);
        return RequestLength;
    }

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
        if (count < 1 || count > ModbusLimits.MaxReadBits)
        {
            return IllegalValue(response);
        }

        if (address + count > 0x10000)
        {
            return Failed(response, ModbusExceptionCode.IllegalDataAddress);
        }

        Span<bool> bits = stackalloc bool[count];
        var code = Read(unit, address, bits);
        if (code != ModbusExceptionCode.None)
        {
            return Failed(response, code);
        }

        int byteCount = ModbusPdu.PackedBitBytes(count);
        response[0] = (byte)Code;
        response[1] = (byte)byteCount;
        ModbusPdu.PackBits(bits, response[2..]);
        return 2 + byteCount;
    }

    protected abstract ModbusExceptionCode Read(IModbusServerUnit unit, ushort address, Span<bool> bits);
}

/// <summary>FC1, read coils.</summary>
internal sealed class ReadCoilsFunction : ReadBitsFunction
{
    public override ModbusFunctionCode Code => ModbusFunctionCode.ReadCoils;

    protected override ModbusExceptionCode Read(IModbusServerUnit unit, ushort address, Span<bool> bits) => unit.ReadCoils(address, bits);
}

/// <summary>FC2, read discrete inputs.</summary>
internal sealed class ReadDiscreteInputsFunction : ReadBitsFunction
{
    public override ModbusFunctionCode Code => ModbusFunctionCode.ReadDiscreteInputs;

    protected override ModbusExceptionCode Read(IModbusServerUnit unit, ushort address, Span<bool> bits) => unit.ReadDiscreteInputs(address, bits);
}
