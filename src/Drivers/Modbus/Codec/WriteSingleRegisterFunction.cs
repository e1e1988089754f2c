namespace Gateway.Drivers.Modbus.Codec;

/// <summary>
/// FC6 (Modbus Application Protocol v1.1b3 §6.6). Request and response: function, address,
/// value. The response echoes the request.
/// </summary>
internal sealed class WriteSingleRegisterFunction : WriteSingleFunction
{
    public override ModbusFunctionCode Code => ModbusFunctionCode.WriteSingleRegister;

    public static int EncodeRequest(Span<byte> pdu, ushort address, ushort value) =>
        EncodeWrite(pdu, ModbusFunctionCode.WriteSingleRegister, address, value);

    public static void DecodeResponse(ReadOnlySpan<byte> pdu, byte unitId, ReadOnlySpan<byte> request) =>
        CheckEcho(pdu, unitId, request, ModbusFunctionCode.WriteSingleRegister, "§6.6");

    protected override ModbusExceptionCode Write(IModbusServerUnit unit, ushort address, ushort value)
    {
        ReadOnlySpan<ushort> values = [value];
        return unit.WriteHoldingRegisters(address, values);
    }
}
