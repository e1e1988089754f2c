namespace Gateway.Market.Decision;

/// <summary>A matched trade with its nucleolus split and price.</summary>
/// <param name="BuyerId">Buyer.</param>
/// <param name="SellerId">Seller.</param>
/// <param name="EnergyKwh">Energy of the trade.</param>
/// <param name="Weight">Q[i,j], the surplus the pair creates (currency).</param>
/// <param name="PricePerKwh">Price that realises the payoff split; between the seller's cost and the grid price.</param>
/// <param name="BuyerPayoff">Buyer's share of <paramref name="Weight"/>.</param>
/// <param name="SellerPayoff">Seller's share of <paramref name="Weight"/>.</param>
/// <param name="Status">Executed or failed by the safety check.</param>
/// <param name="FailedLineId">The line whose limit failed the trade, when failed.</param>
/// <param name="OverloadKw">When failed: how far <paramref name="FailedLineId"/> would exceed its limit if this trade were added to the executed ones (≤ 0 only under the greedy rule: it would have fitted).</param>
public sealed record Trade(
    string BuyerId,
    string SellerId,
    double EnergyKwh,
    double Weight,
    double PricePerKwh,
    double BuyerPayoff,
    double SellerPayoff,
    TradeStatus Status,
    string? FailedLineId,
    double? OverloadKw = null)
{
    /// <summary>
    /// Set when the trade was executed in the decision but cancelled by the dispatch re-check
    /// (<see cref="MarketCore.Recheck"/>): why — a side could not be dispatched, or the line it would overload once the
    /// undispatchable devices sit at their fail-safe power. Null for a trade the clearing itself decided.
    /// </summary>
    public string? CancelledBecause { get; init; }
}
