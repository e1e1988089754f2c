namespace Gateway.Market.DayAhead;

/// <summary>
/// The market rules the paper states in words, and the choices for what it leaves open (docs/day-ahead-model.md lists
/// each with its reason; the assumption table measures what switching one does).
/// </summary>
/// <param name="Pricing">Prices as strategies or by the rule.</param>
/// <param name="OwnUse">Whether a buyer may cover its charging need from its own EV battery and storage account ("EVs first fulfil their own demands").</param>
/// <param name="EndOfDayEnergy">When true, every class ends the day with at least the EV energy it started with (a day that can repeat); the metaheuristics' repair does not guarantee it, so only the exact solver plans with it.</param>
/// <param name="CompanyOnlyWhenCheaper">The electricity-selling company serves a buyer only in periods where its price is below the grid's (section 2).</param>
/// <param name="MaxIntolerableDeviation">C_max of eq. (19): the share of a buyer's need left to the grid or company at which its preference satisfaction reaches 0.</param>
/// <param name="PriceTickPerKwh">The smallest price step; "strictly below" in eqs. (3)–(4) means at least one tick below.</param>
public sealed record DayAheadRules(
    PricingMode Pricing,
    bool OwnUse,
    bool EndOfDayEnergy,
    bool CompanyOnlyWhenCheaper,
    double MaxIntolerableDeviation,
    double PriceTickPerKwh);
