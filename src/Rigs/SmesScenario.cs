namespace Gateway.Rigs;

/// <summary>A superconducting coil and its power converter: E = ½·L·I².</summary>
public sealed record SmesScenario
{
    /// <summary>Coil inductance, H.</summary>
    public required double InductanceH { get; init; }
    /// <summary>Highest coil current, A (full).</summary>
    public required double MaxCurrentA { get; init; }
    /// <summary>Lowest coil current, A (empty: below it the coil is not discharged further).</summary>
    public double MinCurrentA { get; init; }
    /// <summary>Coil current at start, A.</summary>
    public required double InitialCurrentA { get; init; }
    /// <summary>Converter power rating, kW (both directions).</summary>
    public required double MaxPowerKw { get; init; }
    /// <summary>One-way converter efficiency (0–1].</summary>
    public double Efficiency { get; init; } = 0.97;
    /// <summary>How fast the power follows a new setpoint, kW per simulated second.</summary>
    public double RampKwPerSecond { get; init; } = 50;
}
