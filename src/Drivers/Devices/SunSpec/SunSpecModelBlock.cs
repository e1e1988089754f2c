namespace Gateway.Drivers.Devices.SunSpec;

/// <summary>One model found on a SunSpec device.</summary>
/// <param name="Id">Model id (1 common, 103 inverter, 123 controls, 203 meter, ...).</param>
/// <param name="Address">Address of the model's ID register; point offsets count from here.</param>
/// <param name="Length">The model's L: registers following the ID and L registers.</param>
public sealed record SunSpecModelBlock(int Id, int Address, int Length)
{
    /// <summary>Absolute address of <paramref name="offset"/>, or null when the offset (plus <paramref name="count"/> registers) lies beyond this model.</summary>
    internal int? AddressOf(int offset, int count = 1) => offset >= 2 && offset + count <= Length + 2 ? Address + offset : null;
}
