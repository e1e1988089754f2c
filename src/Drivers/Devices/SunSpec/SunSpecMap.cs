namespace Gateway.Drivers.Devices.SunSpec;

/// <summary>The SunSpec model chain of one device, as walked from its "SunS" marker.</summary>
/// <param name="BaseAddress">Where "SunS" was found (40000, 0 or 50000).</param>
/// <param name="Models">The models in chain order.</param>
public sealed record SunSpecMap(int BaseAddress, IReadOnlyList<SunSpecModelBlock> Models)
{
    /// <summary>The first model with <paramref name="id"/>, or null when the device does not have it.</summary>
    public SunSpecModelBlock? Find(int id) => Models.FirstOrDefault(m => m.Id == id);
}
