namespace Gateway.Market.DayAhead;

/// <summary>
/// Weights of the scalar objective every solver maximises:
/// J = R_s + R_b − F_ES + w_sat · Σ_t Gra_t · E^p2p_t (see docs/day-ahead-model.md).
/// </summary>
/// <param name="SatisfactionYuanPerKwh">w_sat, money value of one kWh bought peer-to-peer at full price satisfaction (Gra = 1).</param>
/// <param name="MaxIntolerableDeviation">C_max of eq. 19, the share of a buyer's demand left to the grid or company at which preference satisfaction reaches 0.</param>
public sealed record ObjectiveWeights(
    double SatisfactionYuanPerKwh,
    double MaxIntolerableDeviation);
