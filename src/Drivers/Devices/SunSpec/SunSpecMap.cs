namespace Gateway.Drivers.Devices.SunSpec;

/// <summary>The SunSpec model chain of one device, as walked from its "SunS" marker.</summary>
/// <param name="BaseAddress">Where "SunS" was found (40000, 0 or 50000).</param>
/// <param name="Models">The models in chain order.</param>
public sealed record SunSpecMap(int BaseAddress, IReadOnlyList<SunSpecModelBlock> Models)
{
    // Models of one family share their point offsets and differ only in the phases they fill: a single-phase inverter
    // (101) has A, W, Hz, WH at the offsets of the three-phase one (103); the meters 201–204 likewise (SunSpec
    // Information Model Reference). The float models (111–113, 211–214) have a layout of their own.
    private static readonly int[][] Families = [[101, 102, 103], [111, 112, 113], [201, 202, 203, 204], [211, 212, 213, 214]];

    /// <summary>The first model with <paramref name="id"/>, or null when the device does not have it.</summary>
    public SunSpecModelBlock? Find(int id) => Models.FirstOrDefault(m => m.Id == id);

    /// <summary>
    /// The model <paramref name="id"/>, or else the first model of its family (e.g. 101 or 102 for 103, 201–204 for 203),
    /// whose offsets are the same; null when the device has none of them.
    /// </summary>
    internal SunSpecModelBlock? FindCompatible(int id) =>
        Find(id) ?? (Families.FirstOrDefault(f => f.Contains(id)) is { } family ? Models.FirstOrDefault(m => family.Contains(m.Id)) : null);
}
