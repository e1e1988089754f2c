using Gateway.Drivers.Modbus;

namespace Gateway.DeviceSims.Devices;

/// <summary>
/// What a Modbus server calls for one simulated device: brings the whole rig to the simulated
/// time now, then reads or writes the device's register image, all under the rig's gate.
/// </summary>
internal sealed class SimulatedUnit(SimulatedRig rig, SimulatedDevice device) : IModbusServerUnit
{
    public ModbusExceptionCode ReadCoils(ushort address, Span<bool> values)
    {
        lock (rig.Gate) { rig.AdvanceForAccess(); return device.Image.ReadCoils(address, values); }
    }

    public ModbusExceptionCode ReadDiscreteInputs(ushort address, Span<bool> values)
    {
        lock (rig.Gate) { rig.AdvanceForAccess(); return device.Image.ReadDiscreteInputs(address, values); }
    }

    public ModbusExceptionCode ReadHoldingRegisters(ushort address, Span<ushort> values)
    {
        lock (rig.Gate) { rig.AdvanceForAccess(); return device.Image.ReadHoldingRegisters(address, values); }
    }

    public ModbusExceptionCode ReadInputRegisters(ushort address, Span<ushort> values)
    {
        lock (rig.Gate) { rig.AdvanceForAccess(); return device.Image.ReadInputRegisters(address, values); }
    }

    public ModbusExceptionCode WriteCoils(ushort address, ReadOnlySpan<bool> values)
    {
        lock (rig.Gate) { rig.AdvanceForAccess(); return device.Image.WriteCoils(address, values); }
    }

    public ModbusExceptionCode WriteHoldingRegisters(ushort address, ReadOnlySpan<ushort> values)
    {
        lock (rig.Gate)
        {
            rig.AdvanceForAccess();
            var code = device.Image.WriteHoldingRegisters(address, values);
            device.Publish();
            return code;
        }
    }
}
