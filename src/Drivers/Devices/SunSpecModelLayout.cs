namespace Gateway.Drivers.Devices;

/// <summary>
/// One model block a SunSpec device of this profile exposes, in chain order. Simulators lay
/// out their register image from it; drivers never rely on it and walk the device's own chain.
/// </summary>
/// <param name="Id">SunSpec model id.</param>
/// <param name="Length">The model's L (registers after the ID and L registers).</param>
public sealed record SunSpecModelLayout(int Id, int Length);
