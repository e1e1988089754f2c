namespace Gateway.Market.Grid;

/// <summary>
/// A matched trade as the feeder sees it: power from the seller's node to the buyer's node for the interval, with its
/// weight Q (currency) and the same weight in whole units of the round's weight grid (what the exact execution maximises).
/// </summary>
internal readonly record struct TradeFlow(string BuyerId, string SellerId, string BuyerNodeId, string SellerNodeId, double PowerKw, double Weight, long WeightUnits);
