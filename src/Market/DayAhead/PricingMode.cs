namespace Gateway.Market.DayAhead;

/// <summary>How the peer-to-peer prices of a schedule are set.</summary>
public enum PricingMode
{
    /// <summary>Prices are strategies: one decision per period inside the bounds of eqs. (3)–(6) and (8) (the metaheuristics search them; the exact solver, whose objective does not depend on them, uses the rule).</summary>
    Strategy,

    /// <summary>Prices follow eqs. (8)–(9) with a fixed expected-profit share of the spread (<see cref="SellerPricing.ExpectedProfitShare"/>).</summary>
    Rule,
}
