namespace Gateway.Drivers.Modbus.Codec;

/// <summary>Looks up the codec for a function code.</summary>
internal static class ModbusFunctions
{
    private static readonly ModbusFunction?[] ByCode = Build();

    /// <summary>The codec for <paramref name="functionCode"/>, or null when this stack does not implement it.</summary>
    public static ModbusFunction? Find(byte functionCode) => functionCode < ByCode.Length ? ByCode[functionCode] : null;

    private static ModbusFunction?[] Build()
    {
        var table = new ModbusFunction?[128];
        ModbusFunction[] all =
        [
            new ReadCoilsFunction(), new ReadDiscreteInputsFunction(), new ReadHoldingRegistersFunction(),
            new ReadInputRegistersFunction(), new WriteSingleCoilFunction(), new WriteSingleRegisterFunction(),
            new WriteMultipleCoilsFunction(), new WriteMultipleRegistersFunction(), new ReadWriteMultipleRegistersFunction(),
        ];
        foreach (var function in all)
        {
            table[(byte)function.Code] = function;
        }

        return table;
    }
}
