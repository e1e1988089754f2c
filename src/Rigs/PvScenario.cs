namespace Gateway.Rigs;

/// <summary>A PV array and its inverter (Energies 2023 eqs. (1)–(2)).</summary>
public sealed record PvScenario
{
    /// <summary>Rated power at standard test conditions (1000 W/m², 25 °C), kWp; also the inverter's rating.</summary>
    public required double RatedKwp { get; init; }
    /// <summary>Conversion efficiency η₀ at the reference temperature 298 K.</summary>
    public double ReferenceEfficiency { get; init; } = 0.20;
    /// <summary>Temperature coefficient γ of the efficiency, per K.</summary>
    public double TemperatureCoefficientPerK { get; init; } = 0.0045;
    /// <summary>Nominal operating cell temperature, °C (cell heating: Tc = Ta + (NOCT − 20)/800 · G).</summary>
    public double NoctC { get; init; } = 45;
    /// <summary>Mean ambient temperature, °C.</summary>
    public double AmbientC { get; init; } = 25;
    /// <summary>Half the daily ambient swing, °C (warmest at 15:00, coolest at 03:00).</summary>
    public double AmbientSwingC { get; init; } = 0;
    /// <summary>The irradiance on the panel plane over the day.</summary>
    public required IrradianceProfile Irradiance { get; init; }
    /// <summary>How fast the output follows a changed limit, kW per simulated second.</summary>
    public double RampKwPerSecond { get; init; } = 5;
    /// <summary>Energy counter at start, kWh (a SunSpec accumulator of 0 means "not accumulated").</summary>
    public double InitialEnergyKwh { get; init; } = 1000;
}
