namespace Gateway.Market.DayAhead;

/// <summary>
/// How the sellers' price is formed (eqs. 8–9): Q_s = C_PV + C_EV + expected profit, where the
/// expected profit is a share of the spread between the buyers' best alternative and the cost
/// plus fees, so the price bounds (3)–(6) always hold.
/// </summary>
/// <param name="PvLossCostPerKwh">C^PV, loss cost of PV charging/discharging per kWh.</param>
/// <param name="EvLossCostPerKwh">C^EV, battery wear cost of V2G per kWh.</param>
/// <param name="ExpectedProfitShare">Share (0–1, exclusive) of the remaining spread the sellers keep as expected profit.</param>
public sealed record SellerPricing(
    double PvLossCostPerKwh,
    double EvLossCostPerKwh,
    double ExpectedProfitShare);
