namespace Gateway.Market.DayAhead;

/// <summary>
/// One user's electric vehicle as a V2G seller (section 2: "the user's EV is regarded as a small energy storage unit"):
/// its battery, the state-of-charge window it may use, where the day starts, and what its bidirectional pile can move.
/// </summary>
/// <param name="BatteryKwh">Usable battery capacity of one EV.</param>
/// <param name="MinSoc">Lowest state of charge V2G may leave (0–1): the owner's reserve.</param>
/// <param name="MaxSoc">Highest state of charge the battery is charged to (0–1).</param>
/// <param name="InitialSoc">State of charge at the start of the day (0–1), within [MinSoc, MaxSoc].</param>
/// <param name="ChargePowerKw">Most power one EV's pile puts into the battery from the owner's PV surplus.</param>
/// <param name="V2gPowerKw">Most power one EV's pile takes out of the battery (V2G sale or covering its own charging need).</param>
public sealed record EvParameters(
    double BatteryKwh,
    double MinSoc,
    double MaxSoc,
    double InitialSoc,
    double ChargePowerKw,
    double V2gPowerKw);
