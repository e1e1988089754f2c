namespace Gateway.Market.Decision;

/// <summary>A buyer–seller pair that could trade (Q[i,j] &gt; 0): the edge of the matching graph.</summary>
public sealed record CandidatePair(string BuyerId, string SellerId, double EnergyKwh, double Weight);
