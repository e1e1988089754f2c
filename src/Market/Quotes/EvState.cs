namespace Gateway.Market.Quotes;

/// <summary>What the gateway measured at an EV's charger, plus the owner's settings, at the start of an interval.</summary>
/// <param name="Id">Participant id.</param>
/// <param name="NodeId">Feeder node of the charger.</param>
/// <param name="PluggedIn">Whether the EV is connected.</param>
/// <param name="StateOfChargePercent">Measured SoC, 0–100.</param>
/// <param name="BatteryCapacityKwh">Usable battery capacity.</param>
/// <param name="TargetStateOfChargePercent">SoC the owner wants at departure; also the reserve below which it never sells.</param>
/// <param name="HoursUntilDeparture">Time left until the planned departure (the caller computes it from its clock).</param>
/// <param name="MaxChargePowerKw">Charger/vehicle charge power limit.</param>
/// <param name="MaxDischargePowerKw">Charger/vehicle discharge (V2G) power limit; 0 = no V2G.</param>
/// <param name="Parameters">Benefit-function parameters carried into the quotation.</param>
public sealed record EvState(
    string Id,
    string NodeId,
    bool PluggedIn,
    double StateOfChargePercent,
    double BatteryCapacityKwh,
    double TargetStateOfChargePercent,
    double HoursUntilDeparture,
    double MaxChargePowerKw,
    double MaxDischargePowerKw,
    EvTradeParameters Parameters);
