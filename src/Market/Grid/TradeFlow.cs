namespace Gateway.Market.Grid;

/// <summary>A matched trade as the feeder sees it: power from the seller's node to the buyer's node for the interval.</summary>
public readonly record struct TradeFlow(string BuyerId, string SellerId, string BuyerNodeId, string SellerNodeId, double PowerKw, double Weight);
