namespace Gateway.Drivers.Devices;

/// <summary>
/// The Modbus part of a <see cref="DeviceProfile"/>: where each point lives on the device and
/// how reads may be grouped. A profile for another transport (an MQTT topic map) would sit
/// beside it; the points themselves stay transport-neutral.
/// </summary>
public sealed record ModbusRegisterMap
{
    /// <summary>Location of each point, by point name. Every point of the profile has one.</summary>
    public required IReadOnlyDictionary<string, ModbusPointLocation> Locations { get; init; }

    /// <summary>Whether the device is SunSpec: its base is found by the "SunS" marker and models are walked.</summary>
    public bool SunSpec { get; init; }

    /// <summary>The SunSpec model blocks a device of this kind exposes (for simulators and documentation).</summary>
    public IReadOnlyList<SunSpecModelLayout> SunSpecModels { get; init; } = [];

    /// <summary>Largest block read, in registers (the protocol allows 125).</summary>
    public int MaxBlockRegisters { get; init; } = 125;

    /// <summary>Largest run of unused registers a block read may span before it is split in two.</summary>
    public int MaxGapRegisters { get; init; } = 16;
}
