using Gateway.Drivers.Modbus;

namespace Gateway.DeviceSims.Devices;

/// <summary>The fault plan of one server: asks the plan of the device behind the requested unit id.</summary>
public sealed class UnitFaultRouter(IReadOnlyDictionary<byte, IModbusFaultPlan> plans) : IModbusFaultPlan
{
    /// <inheritdoc />
    public ModbusFault Next(byte unitId, byte functionCode) =>
        plans.TryGetValue(unitId, out var plan) ? plan.Next(unitId, functionCode) : ModbusFault.None;
}
