namespace Gateway.Market.DayAhead;

/// <summary>
/// One aggregated class of EV users with rooftop PV (the paper's user portraits A, B, C): every user of the class has
/// the same PV system, the same EV and the same per-period charging state (Table 1), so the class acts as one buyer or
/// one seller per period.
/// </summary>
/// <param name="Name">Class label, e.g. "A".</param>
/// <param name="Description">Portrait, e.g. "night shift".</param>
/// <param name="UserCount">N, the number of users aggregated in the class.</param>
/// <param name="ChargingPowerKw">Energy one EV needs per hour in which it charges (Table 1 = 1), as power.</param>
/// <param name="Charging">Charging state per period (Table 1: true = 1 = charging).</param>
/// <param name="Ev">The class's EV as a V2G battery.</param>
/// <param name="Away">Per period: true while the EV is on a trip (departed, not yet arrived), when it can neither charge nor discharge.</param>
public sealed record UserClass(
    string Name,
    string Description,
    int UserCount,
    double ChargingPowerKw,
    IReadOnlyList<bool> Charging,
    EvParameters Ev,
    IReadOnlyList<bool> Away);
