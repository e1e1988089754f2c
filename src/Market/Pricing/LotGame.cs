namespace Gateway.Market.Pricing;

/// <summary>An <see cref="AssignmentGame"/> written out as a one-to-one game on lots (one player per possible trade).</summary>
/// <param name="BuyerLots">Number of buyer lot players.</param>
/// <param name="SellerLots">Number of seller lot players.</param>
/// <param name="Edges">Every lot pair that can trade, with its surplus.</param>
/// <param name="TradeLots">For each trade of the game, the two lots that carry it.</param>
internal sealed record LotGame(int BuyerLots, int SellerLots, IReadOnlyList<AssignmentGameEdge> Edges, IReadOnlyList<(int BuyerLot, int SellerLot)> TradeLots);
