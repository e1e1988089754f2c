namespace Gateway.DeviceSims.Physics;

/// <summary>
/// A superconducting coil: stored energy E = ½·L·I², current kept within [I_min, I_max].
/// Power in the gateway's convention (positive = delivered to the grid) passes through a
/// converter of one-way efficiency η: charging at P &lt; 0 stores |P|·η, discharging at
/// P &gt; 0 draws P/η from the coil.
/// </summary>
public sealed class SmesCoil(double inductanceH, double minCurrentA, double maxCurrentA, double currentA, double efficiency)
{
    /// <summary>Coil inductance, H.</summary>
    public double InductanceH { get; } = inductanceH;

    /// <summary>Lowest allowed current, A.</summary>
    public double MinCurrentA { get; } = minCurrentA;

    /// <summary>Highest allowed current, A.</summary>
    public double MaxCurrentA { get; } = maxCurrentA;

    /// <summary>Coil current, A.</summary>
    public double CurrentA { get; private set; } = Math.Clamp(currentA, minCurrentA, maxCurrentA);

    /// <summary>Stored energy ½·L·I², J.</summary>
    public double EnergyJ => EnergyAt(CurrentA);

    /// <summary>Stored energy, kWh.</summary>
    public double EnergyKwh => EnergyJ / 3.6e6;

    /// <summary>Whether the coil can take more energy.</summary>
    public bool CanCharge => CurrentA < MaxCurrentA - 1e-9;

    /// <summary>Whether the coil can give more energy.</summary>
    public bool CanDischarge => CurrentA > MinCurrentA + 1e-9;

    /// <summary>½·L·I² at current <paramref name="currentA"/>, J.</summary>
    public double EnergyAt(double currentA) => 0.5 * InductanceH * currentA * currentA;

    /// <summary>
    /// Applies grid-side power <paramref name="gridKw"/> for <paramref name="seconds"/>; returns the
    /// power actually exchanged, cut short in proportion where a current limit was reached.
    /// </summary>
    public double Apply(double gridKw, double seconds)
    {
        if (gridKw == 0 || seconds <= 0) return 0;
        var coilJ = (gridKw < 0 ? -gridKw * efficiency : -gridKw / efficiency) * 1000 * seconds;
        var lo = EnergyAt(MinCurrentA);
        var hi = EnergyAt(MaxCurrentA);
        var energy = EnergyJ + coilJ;
        var fraction = 1.0;
        if (energy > hi) { fraction = Math.Max(0, (hi - EnergyJ) / coilJ); energy = hi; }
        if (energy < lo) { fraction = Math.Max(0, (lo - EnergyJ) / coilJ); energy = lo; }
        CurrentA = Math.Clamp(Math.Sqrt(2 * energy / InductanceH), MinCurrentA, MaxCurrentA);
        return gridKw * fraction;
    }
}
