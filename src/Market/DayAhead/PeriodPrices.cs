namespace Gateway.Market.DayAhead;

/// <summary>The peer-to-peer prices of one period.</summary>
/// <param name="SellerPricePerKwh">Q_s,t, what sellers receive.</param>
/// <param name="BuyerPricePerKwh">Q_b,t, what buyers pay; Q_b − Q_s = λ_t + λ^F_t (eq. 6).</param>
public readonly record struct PeriodPrices(double SellerPricePerKwh, double BuyerPricePerKwh);
