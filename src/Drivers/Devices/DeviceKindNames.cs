namespace Gateway.Drivers.Devices;

/// <summary>
/// The device kinds as profiles and rig files write them. Written once here: a profile's <c>kind</c> is checked against this
/// list, and a rig device's kind must match its profile's, so the rig model (which references Drivers) reads the same list.
/// </summary>
public static class DeviceKindNames
{
    /// <summary>charger, pv-inverter, meter, smes — in this order, which the rig model's device kinds follow.</summary>
    public static IReadOnlyList<string> All { get; } = ["charger", "pv-inverter", "meter", "smes"];
}
