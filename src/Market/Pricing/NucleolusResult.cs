namespace Gateway.Market.Pricing;

/// <summary>The nucleolus of an <see cref="AssignmentGame"/>: how each trade's surplus is split (currency).</summary>
/// <param name="BuyerShares">uₜ: the buyer's part of trade t's surplus, in the order of <see cref="AssignmentGame.Trades"/>.</param>
/// <param name="TradeWeights">wₜ: trade t's surplus; the seller gets wₜ − uₜ. Players without a trade get 0.</param>
/// <param name="Stages">Maschler–Peleg–Shapley stages it took (how many distinct excess levels were fixed).</param>
internal sealed record NucleolusResult(double[] BuyerShares, double[] TradeWeights, int Stages)
{
    /// <summary>The seller's part of trade <paramref name="trade"/>'s surplus.</summary>
    public double SellerShare(int trade) => TradeWeights[trade] - BuyerShares[trade];
}
