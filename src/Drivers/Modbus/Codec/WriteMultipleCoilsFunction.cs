namespace Gateway.Drivers.Modbus.Codec;

/// <summary>
/// FC15 (Modbus Application Protocol v1.1b3 §6.11). Request: function, address, quantity (1–1968),
/// byte count ⌈quantity/8⌉, packed bits. Response: function, address, quantity.
/// </summary>
internal sealed class WriteMultipleCoilsFunction : WriteMultipleFunction<bool>
{
    public override ModbusFunctionCode Code => ModbusFunctionCode.WriteMultipleCoils;

    protected override int MaxQuantity => ModbusLimits.MaxWriteBits;

    public static int RequestLength(int count) => 6 + ModbusPdu.PackedBitBytes(count);

    public static int EncodeRequest(Span<byte> pdu, ushort address, ReadOnlySpan<bool> values)
    {
        ModbusLimits.CheckQuantity(values.Length, ModbusLimits.MaxWriteBits, nameof(ModbusFunctionCode.WriteMultipleCoils), nameof(values));
        ModbusLimits.CheckRange(address, values.Length, nameof(address));
        int byteCount = ModbusPdu.PackedBitBytes(values.Length);
        EncodeHeader(pdu, ModbusFunctionCode.WriteMultipleCoils, address, values.Length, byteCount);
        ModbusPdu.PackBits(values, pdu[6..]);
        return 6 + byteCount;
    }

    public static void DecodeResponse(ReadOnlySpan<byte> pdu, byte unitId, ReadOnlySpan<byte> request) =>
        CheckConfirmation(pdu, unitId, request, ModbusFunctionCode.WriteMultipleCoils, "§6.11");

    protected override int PackedBytes(int count) => ModbusPdu.PackedBitBytes(count);

    protected override void Unpack(ReadOnlySpan<byte> source, Span<bool> values) => ModbusPdu.UnpackBits(source, values);

    protected override ModbusExceptionCode Write(IModbusServerUnit unit, ushort address, ReadOnlySpan<bool> values) => unit.WriteCoils(address, values);
}
