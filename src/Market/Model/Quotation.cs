namespace Gateway.Market.Model;

/// <summary>
/// One participant's offer or bid for one market interval, with the parameters of its benefit function
/// (Li et al. 2021, eqs. 2–4). Prices are currency per kWh (CNY in the examples).
/// </summary>
/// <param name="Id">Unique participant id; ties in the market are broken by ordinal order of ids.</param>
/// <param name="Kind">EV or PV.</param>
/// <param name="Role">Buyer or seller this interval (PV is always a seller).</param>
/// <param name="NodeId">Feeder node the participant is connected to.</param>
/// <param name="EnergyKwh">Energy requested (buyer) or offered (seller) in the interval, at the participant's meter.</param>
/// <param name="MaxPowerKw">Charger/inverter power limit; <paramref name="EnergyKwh"/> never exceeds it × interval.</param>
/// <param name="MaxTrades">L[j] (seller) or Lᵃ[i] (buyer): most counterparties in one interval (eqs. 7–8).</param>
/// <param name="ConsumptionKwhPerKm">λ: EV consumption per km (eqs. 2–3); 0 for PV.</param>
/// <param name="DistanceKm">D: distance the EV drives to its charging point (eqs. 2–3); 0 for PV.</param>
/// <param name="ChargingPricePerKwh">p₀: what a discharging EV paid for the energy it sells (eq. 3).</param>
/// <param name="Efficiency">η: a discharging EV's charge-to-grid efficiency (eq. 3), in (0, 1].</param>
/// <param name="BatteryWearPerKwh">Battery depreciation of a discharging EV per kWh delivered: an extension beyond the paper (0 = none); eq. 3's B_j is <paramref name="BatteryWearPerTrade"/>.</param>
/// <param name="MaintenancePerKwh">k_pv: PV operation and maintenance cost per kWh (eq. 4).</param>
/// <param name="BatteryWearPerTrade">B_j: battery depreciation of a discharging EV, a fixed amount per trade (eq. 3).</param>
public sealed record Quotation(
    string Id,
    ParticipantKind Kind,
    TradeRole Role,
    string NodeId,
    double EnergyKwh,
    double MaxPowerKw,
    int MaxTrades = 1,
    double ConsumptionKwhPerKm = 0,
    double DistanceKm = 0,
    double ChargingPricePerKwh = 0,
    double Efficiency = 1,
    double BatteryWearPerKwh = 0,
    double MaintenancePerKwh = 0,
    double BatteryWearPerTrade = 0);
