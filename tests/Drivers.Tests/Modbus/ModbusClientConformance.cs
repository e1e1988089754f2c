using Gateway.Drivers.Modbus;

namespace Gateway.Drivers.Tests.Modbus;

/// <summary>
/// Exercises every function code through a client against a server holding
/// <see cref="ModbusPeerData"/>: the same checks run against our server and against pymodbus.
/// </summary>
internal static class ModbusClientConformance
{
    public static async Task RunAllFunctionCodesAsync(IModbusClient client, byte unitId)
    {
        var expectedHolding = ModbusPeerData.Holding(unitId, 0, 10);
        Assert.Equal(expectedHolding, await client.ReadHoldingRegistersAsync(unitId, 0, 10));
        Assert.Equal(ModbusPeerData.Input(unitId, 5, 125), await client.ReadInputRegistersAsync(unitId, 5, 125));
        Assert.Equal(ModbusPeerData.Coils(unitId, 3, 37), await client.ReadCoilsAsync(unitId, 3, 37));
        Assert.Equal(ModbusPeerData.Discrete(unitId, 0, 2000), await client.ReadDiscreteInputsAsync(unitId, 0, 2000));

        await client.WriteSingleRegisterAsync(unitId, 20, 0xBEEF);
        await client.WriteMultipleRegistersAsync(unitId, 21, new ushort[] { 1, 2, 3, 65535 });
        Assert.Equal([0xBEEF, 1, 2, 3, 65535], await client.ReadHoldingRegistersAsync(unitId, 20, 5));

        await client.WriteSingleCoilAsync(unitId, 40, true);
        await client.WriteSingleCoilAsync(unitId, 41, false);
        bool[] coils = Enumerable.Range(0, 19).Select(i => i % 3 == 1).ToArray();
        await client.WriteMultipleCoilsAsync(unitId, 42, coils);
        var readBack = await client.ReadCoilsAsync(unitId, 40, 21);
        Assert.Equal(new[] { true, false }.Concat(coils), readBack);

        var read = await client.ReadWriteMultipleRegistersAsync(unitId, 30, 4, 31, new ushort[] { 7, 8 });
        Assert.Equal([ModbusPeerData.Holding(unitId, 30, 1)[0], 7, 8, ModbusPeerData.Holding(unitId, 33, 1)[0]], read);
    }
}

/// <summary>The initial tables every test peer (ours and pymodbus) holds, as a function of the unit id.</summary>
internal static class ModbusPeerData
{
    public const int Size = 4000;

    public static ushort[] Holding(byte unit, int address, int count) => Enumerable.Range(address, count).Select(a => (ushort)(a * 3 + unit)).ToArray();

    public static ushort[] Input(byte unit, int address, int count) => Enumerable.Range(address, count).Select(a => (ushort)(a * 7 + unit)).ToArray();

    public static bool[] Coils(byte unit, int address, int count) => Enumerable.Range(address, count).Select(a => (a + unit) % 3 == 0).ToArray();

    public static bool[] Discrete(byte unit, int address, int count) => Enumerable.Range(address, count).Select(a => (a + unit) % 5 == 0).ToArray();

    public static ModbusMemoryUnit CreateUnit(byte unit)
    {
        var memory = new ModbusMemoryUnit(Size);
        memory.SetHoldingRegisters(0, Holding(unit, 0, Size));
        memory.SetInputRegisters(0, Input(unit, 0, Size));
        memory.SetCoils(0, Coils(unit, 0, Size));
        memory.SetDiscreteInputs(0, Discrete(unit, 0, Size));
        return memory;
    }
}
