namespace Gateway.Market.Model;

/// <summary>
/// The superconducting magnetic energy storage unit: stored energy E = ½·L·I² (eq. of a lossless coil),
/// usable between the minimum and maximum coil current, behind a converter with a power limit and a one-way efficiency.
/// </summary>
/// <param name="Id">Participant id of the SMES (payer/payee in settlements).</param>
/// <param name="NodeId">Feeder node of the SMES converter.</param>
/// <param name="InductanceH">Coil inductance L in henry.</param>
/// <param name="CurrentA">Present coil current I in ampere.</param>
/// <param name="MinCurrentA">Lowest allowed coil current (discharge stops here).</param>
/// <param name="MaxCurrentA">Highest allowed coil current (charge stops here; critical-current margin).</param>
/// <param name="MaxPowerKw">Converter power limit, either direction.</param>
/// <param name="Efficiency">One-way converter efficiency in (0, 1]: charging stores q·η, delivering q draws q/η.</param>
/// <param name="MaintenancePerKwh">k_sm: operation and maintenance cost per kWh through the converter (eq. 1).</param>
public sealed record SmesUnit(
    string Id,
    string NodeId,
    double InductanceH,
    double CurrentA,
    double MinCurrentA,
    double MaxCurrentA,
    double MaxPowerKw,
    double Efficiency,
    double MaintenancePerKwh)
{
    private const double JoulesPerKwh = 3.6e6;

    /// <summary>E = ½·L·I² at the present current, in kWh.</summary>
    public double StoredEnergyKwh => CoilEnergyKwh(CurrentA);

    /// <summary>Stored energy at the minimum current, in kWh.</summary>
    public double MinEnergyKwh => CoilEnergyKwh(MinCurrentA);

    /// <summary>Stored energy at the maximum current, in kWh.</summary>
    public double MaxEnergyKwh => CoilEnergyKwh(MaxCurrentA);

    /// <summary>Coil energy ½·L·I² in kWh for a current in ampere.</summary>
    internal double CoilEnergyKwh(double currentA) => 0.5 * InductanceH * currentA * currentA / JoulesPerKwh;

    /// <summary>Coil current in ampere that holds <paramref name="energyKwh"/>: I = √(2E/L).</summary>
    internal double CurrentForEnergyA(double energyKwh) => Math.Sqrt(2 * Math.Max(0, energyKwh) * JoulesPerKwh / InductanceH);
}
