namespace Gateway.Market.Quotes;

/// <summary>An EV owner's benefit-function parameters (Li et al. eqs. 2–3).</summary>
public sealed record EvTradeParameters(
    int MaxTrades = 1,
    double ConsumptionKwhPerKm = 0,
    double DistanceKm = 0,
    double ChargingPricePerKwh = 0,
    double Efficiency = 1,
    double BatteryWearPerKwh = 0,
    double BatteryWearPerTrade = 0);
