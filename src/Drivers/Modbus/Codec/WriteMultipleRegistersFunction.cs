namespace Gateway.Drivers.Modbus.Codec;

/// <summary>
/// FC16 (Modbus Application Protocol v1.1b3 §6.12). Request: function, address, quantity (1–123),
/// byte count 2 × quantity, registers. Response: function, address, quantity.
/// </summary>
internal sealed class WriteMultipleRegistersFunction : WriteMultipleFunction<ushort>
{
    public override ModbusFunctionCode Code => ModbusFunctionCode.WriteMultipleRegisters;

    protected override int MaxQuantity => ModbusLimits.MaxWriteRegisters;

    public static int RequestLength(int count) => 6 + 2 * count;

    public static int EncodeRequest(Span<byte> pdu, ushort address, ReadOnlySpan<ushort> values)
    {
        ModbusLimits.CheckQuantity(values.Length, ModbusLimits.MaxWriteRegisters, nameof(ModbusFunctionCode.WriteMultipleRegisters), nameof(values));
        ModbusLimits.CheckRange(address, values.Length, nameof(address));
        EncodeHeader(pdu, ModbusFunctionCode.WriteMultipleRegisters, address, values.Length, 2 * values.Length);
        ModbusPdu.WriteRegisters(values, pdu[6..]);
        return 6 + 2 * values.Length;
    }

    public static void DecodeResponse(ReadOnlySpan<byte> pdu, byte unitId, ReadOnlySpan<byte> request) =>
        CheckConfirmation(pdu, unitId, request, ModbusFunctionCode.WriteMultipleRegisters, "§6.12");

    protected override int PackedBytes(int count) => 2 * count;

    protected override void Unpack(ReadOnlySpan<byte> source, Span<ushort> values) => ModbusPdu.ReadRegisters(source, values);

    protected override ModbusExceptionCode Write(IModbusServerUnit unit, ushort address, ReadOnlySpan<ushort> values) => unit.WriteHoldingRegisters(address, values);
}
