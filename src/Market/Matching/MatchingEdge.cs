namespace Gateway.Market.Matching;

/// <summary>A candidate buyer–seller pair with its integer weight (Q[i,j] in units of the round's <see cref="WeightGrid"/>, > 0).</summary>
internal readonly record struct MatchingEdge(int Buyer, int Seller, long Weight);
