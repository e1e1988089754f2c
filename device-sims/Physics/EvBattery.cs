namespace Gateway.DeviceSims.Physics;

/// <summary>
/// A vehicle battery seen from the grid. Power is in the gateway's convention (positive =
/// delivered to the grid): charging at P &lt; 0 stores |P|·η_ch; discharging at P &gt; 0
/// draws P/η_dis from the battery. SoC stays within its limits; at a limit the charger
/// stops in that direction.
/// </summary>
public sealed class EvBattery(double capacityKwh, double socPercent, double chargeEfficiency, double dischargeEfficiency, double minSocPercent, double maxSocPercent)
{
    /// <summary>Usable capacity, kWh.</summary>
    public double CapacityKwh { get; } = capacityKwh;

    /// <summary>State of charge, %.</summary>
    public double SocPercent { get; private set; } = Math.Clamp(socPercent, 0, 100);

    /// <summary>Energy in the battery, kWh.</summary>
    public double EnergyKwh => SocPercent / 100 * CapacityKwh;

    /// <summary>Whether the battery can take more charge.</summary>
    public bool CanCharge => SocPercent < maxSocPercent;

    /// <summary>Whether the battery may give more.</summary>
    public bool CanDischarge => SocPercent > minSocPercent;

    /// <summary>
    /// Applies grid-side power <paramref name="gridKw"/> for <paramref name="seconds"/>; returns the
    /// power actually exchanged, cut short in proportion where a SoC limit was reached.
    /// </summary>
    public double Apply(double gridKw, double seconds)
    {
        if (gridKw == 0 || seconds <= 0) return 0;
        var hours = seconds / 3600;
        var batteryKwh = gridKw < 0 ? -gridKw * chargeEfficiency * hours : -gridKw / dischargeEfficiency * hours;
        var energy = EnergyKwh + batteryKwh;
        var lo = minSocPercent / 100 * CapacityKwh;
        var hi = maxSocPercent / 100 * CapacityKwh;
        var fraction = 1.0;
        if (gridKw < 0 && energy > hi) { fraction = Math.Max(0, (hi - EnergyKwh) / batteryKwh); energy = Math.Max(hi, EnergyKwh); }
        if (gridKw > 0 && energy < lo) { fraction = Math.Max(0, (lo - EnergyKwh) / batteryKwh); energy = Math.Min(lo, EnergyKwh); }
        SocPercent = Math.Clamp(energy / CapacityKwh * 100, 0, 100);
        return gridKw * fraction;
    }
}
