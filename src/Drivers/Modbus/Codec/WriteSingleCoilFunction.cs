namespace Gateway.Drivers.Modbus.Codec;

/// <summary>
/// FC5 (Modbus Application Protocol v1.1b3 §6.5). Request and response: function, address,
/// value 0xFF00 (on) or 0x0000 (off); any other value is exception 03. The response echoes the request.
/// </summary>
internal sealed class WriteSingleCoilFunction : WriteSingleFunction
{
    private const ushort On = 0xFF00;

    public override ModbusFunctionCode Code => ModbusFunctionCode.WriteSingleCoil;

    public static int EncodeRequest(Span<byte> pdu, ushort address, bool value) =>
        EncodeWrite(pdu, ModbusFunctionCode.WriteSingleCoil, address, value ? On : (ushort)0);

    public static void DecodeResponse(ReadOnlySpan<byte> pdu, byte unitId, ReadOnlySpan<byte> request) =>
        CheckEcho(pdu, unitId, request, ModbusFunctionCode.WriteSingleCoil, "§6.5");

    protected override ModbusExceptionCode Write(IModbusServerUnit unit, ushort address, ushort value)
    {
        if (value != On && value != 0)
        {
            return ModbusExceptionCode.IllegalDataValue;
        }

        ReadOnlySpan<bool> values = [value == On];
        return unit.WriteCoils(address, values);
    }
}
