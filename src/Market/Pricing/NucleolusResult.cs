namespace Gateway.Market.Pricing;

/// <summary>Nucleolus payoffs (currency) of every buyer player and every seller player of an assignment game.</summary>
public sealed record NucleolusResult(double[] BuyerPayoffs, double[] SellerPayoffs);
