namespace Gateway.Market.DayAhead;

/// <summary>
/// A day-ahead planning problem (the <c>energies2023</c> model): T periods of one day, the aggregated EV user classes
/// with their PV and V2G batteries, the weather, the time-of-use prices of the grid and the electricity-selling
/// company, the fees, and the shared storage. Pure data; <see cref="DayAheadMarket"/> derives
/// the per-period quantities.
/// </summary>
/// <param name="Name">Scenario label, e.g. "I".</param>
/// <param name="PeriodHours">Δt, the length of one period.</param>
/// <param name="Classes">The user classes.</param>
/// <param name="Pv">Each user's PV system.</param>
/// <param name="IrradianceWPerM2">I_t, irradiance on the inclined panel per period.</param>
/// <param name="TemperatureK">T_t, ambient (cell) temperature per period.</param>
/// <param name="GridPricePerKwh">Q_G,t, the state grid's time-of-use price.</param>
/// <param name="CompanyPricePerKwh">Q_C,t, the electricity-selling company's price.</param>
/// <param name="GridFeePerKwh">λ_t, the grid's service fee per kWh traded peer-to-peer.</param>
/// <param name="PlatformFeePerKwh">λ^F_t (ρ_t of eq. 24), the blockchain platform's fee per kWh traded.</param>
/// <param name="PriceFloorPerKwh">Φ^min_t, lowest allowed buyer price.</param>
/// <param name="PriceCeilingPerKwh">Φ^max_t, highest allowed buyer price.</param>
/// <param name="SellerPricing">How the sellers' price is formed.</param>
/// <param name="Storage">The shared storage.</param>
/// <param name="Rules">Market rules and the choices for what the paper leaves open.</param>
public sealed record DayAheadScenario(
    string Name,
    double PeriodHours,
    IReadOnlyList<UserClass> Classes,
    PvParameters Pv,
    IReadOnlyList<double> IrradianceWPerM2,
    IReadOnlyList<double> TemperatureK,
    IReadOnlyList<double> GridPricePerKwh,
    IReadOnlyList<double> CompanyPricePerKwh,
    IReadOnlyList<double> GridFeePerKwh,
    IReadOnlyList<double> PlatformFeePerKwh,
    IReadOnlyList<double> PriceFloorPerKwh,
    IReadOnlyList<double> PriceCeilingPerKwh,
    SellerPricing SellerPricing,
    SharedStorageParameters Storage,
    DayAheadRules Rules)
{
    /// <summary>T, the number of periods.</summary>
    public int PeriodCount => IrradianceWPerM2.Count;
}
