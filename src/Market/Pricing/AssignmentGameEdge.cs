namespace Gateway.Market.Pricing;

/// <summary>An edge of a (one-to-one) assignment game: buyer player, seller player and the pair's surplus v({b, s}).</summary>
internal readonly record struct AssignmentGameEdge(int Buyer, int Seller, double Weight);
