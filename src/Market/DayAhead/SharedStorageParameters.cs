namespace Gateway.Market.DayAhead;

/// <summary>The shared energy storage operator's system and its tariffs (eqs. 27–31).</summary>
/// <param name="MinEnergyKwh">E^ES_min, lowest allowed stored energy.</param>
/// <param name="MaxEnergyKwh">E^ES_max, highest allowed stored energy (capacity).</param>
/// <param name="InitialEnergyKwh">Stored energy at the start of the day; owned by the operator as its reserve, never sold to users.</param>
/// <param name="MaxChargePowerKw">P^ES,c_max, total charging power of all users.</param>
/// <param name="MaxDischargePowerKw">P^ES,d_max, total discharging power of all users.</param>
/// <param name="RentPerKwh">λ^ES_t, the rental fee users pay per kWh charged and per kWh discharged (eq. 27).</param>
/// <param name="ChargeCostPerKwh">λ_c, the operator's cost per kWh charged (eq. 28).</param>
/// <param name="DischargeCostPerKwh">λ_d, the operator's cost per kWh discharged (eq. 28).</param>
public sealed record SharedStorageParameters(
    double MinEnergyKwh,
    double MaxEnergyKwh,
    double InitialEnergyKwh,
    double MaxChargePowerKw,
    double MaxDischargePowerKw,
    double RentPerKwh,
    double ChargeCostPerKwh,
    double DischargeCostPerKwh);
