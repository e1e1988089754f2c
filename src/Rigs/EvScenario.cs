namespace Gateway.Rigs;

/// <summary>An electric vehicle at a V2G charger: its battery and when it is plugged in.</summary>
public sealed record EvScenario
{
    /// <summary>Usable battery capacity, kWh.</summary>
    public required double BatteryKwh { get; init; }
    /// <summary>State of charge when the vehicle arrives, %.</summary>
    public required double SocAtArrivalPercent { get; init; }
    /// <summary>When the vehicle is plugged in (simulated time).</summary>
    public required DateTimeOffset Arrival { get; init; }
    /// <summary>When it leaves.</summary>
    public required DateTimeOffset Departure { get; init; }
    /// <summary>State of charge the driver wants at departure, % (the gateway's quotations use it).</summary>
    public double TargetSocPercent { get; init; } = 80;
    /// <summary>Highest charging power at the grid side, kW.</summary>
    public required double MaxChargeKw { get; init; }
    /// <summary>Highest discharging power at the grid side, kW.</summary>
    public required double MaxDischargeKw { get; init; }
    /// <summary>Grid-to-battery efficiency while charging (0–1].</summary>
    public double ChargeEfficiency { get; init; } = 0.95;
    /// <summary>Battery-to-grid efficiency while discharging (0–1].</summary>
    public double DischargeEfficiency { get; init; } = 0.95;
    /// <summary>The charger stops discharging at this SoC, %.</summary>
    public double MinSocPercent { get; init; } = 10;
    /// <summary>The charger stops charging at this SoC, %.</summary>
    public double MaxSocPercent { get; init; } = 100;
    /// <summary>How fast the power follows a new setpoint, kW per simulated second.</summary>
    public double RampKwPerSecond { get; init; } = 2;
    /// <summary>
    /// The only OCPP version the simulated pile speaks (an <c>ocpp</c> device; a 2.0.1 pile's firmware cannot discharge), or
    /// null: it offers 2.1, then 2.0.1.
    /// </summary>
    public Gateway.Drivers.Ocpp.OcppVersion? OcppVersion { get; init; }
}
