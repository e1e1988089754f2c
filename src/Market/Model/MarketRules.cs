namespace Gateway.Market.Model;

/// <summary>
/// How a round is cleared where Li et al. (2021) leave a choice or where the project deliberately deviates from the paper.
/// The defaults are the paper as written (eqs. 1–3) with the exact congestion-aware execution; every other value is a
/// named deviation, documented in docs/market-model.md, and travels with the round (JSON <c>rules</c>) so the journal
/// replays a decision exactly.
/// </summary>
public sealed record MarketRules
{
    /// <summary>The paper's terms as written and the exact execution.</summary>
    public static MarketRules Paper { get; } = new();

    /// <summary>Which matched trades execute when the feeder cannot carry them all.</summary>
    public ExecutionRule Execution { get; init; } = ExecutionRule.MaximumWelfare;

    /// <summary>What price values an EV buyer's travel energy λ_i·D_ip (eq. 2).</summary>
    public BuyerTravelPricing BuyerTravel { get; init; } = BuyerTravelPricing.TradePrice;

    /// <summary>Whether each trade carries the whole travel term of eqs. 2–3 or a share of it.</summary>
    public TravelCostSharing TravelCost { get; init; } = TravelCostSharing.PerTrade;

    /// <summary>At what price the SMES settles and how its revenue is counted (eq. 1).</summary>
    public SmesSettlementRule SmesSettlement { get; init; } = SmesSettlementRule.GridPriceOnNetPower;

    /// <summary>
    /// Branch-and-bound nodes the exact execution may explore before it stops with its best selection and a proven bound
    /// on what it may have missed. A count, not a time, so the same round always gives the same decision.
    /// </summary>
    public int ExecutionNodeBudget { get; init; } = 20_000;
}

/// <summary>How the safety check picks the trades that execute.</summary>
public enum ExecutionRule
{
    /// <summary>
    /// The executed trades maximise their total weight subject to every line limit (an exact 0/1 program on the radial
    /// feeder, branch and bound with LP bounds); only what the feeder requires fails.
    /// </summary>
    MaximumWelfare,

    /// <summary>
    /// The earlier rule: while a line is over its limit, fail the lowest-weight trade pushing the worst-overloaded line,
    /// and never let a failed trade back in. It can fail more than the feeder requires (a small trade failed first stays
    /// failed after a large one made room); kept to compare against.
    /// </summary>
    CurtailLowestWeightOnWorstLine,
}

/// <summary>The price of an EV buyer's travel energy λ_i·D_ip.</summary>
public enum BuyerTravelPricing
{
    /// <summary>Eq. 2 as written: at p_v2v, the price of the buyer's trade (solved as a fixed point with the nucleolus).</summary>
    TradePrice,

    /// <summary>Deviation: at the grid price C_ep, so a pair's weight does not depend on its price (one pass, no fixed point).</summary>
    GridPrice,
}

/// <summary>How the travel terms of eqs. 2–3 are charged when a participant trades with several counterparties.</summary>
public enum TravelCostSharing
{
    /// <summary>Eqs. 2–3 as written: each trade Q_ij carries the whole λ·D term.</summary>
    PerTrade,

    /// <summary>Deviation: the EV drives once per interval, so each of its Lᵃ (or L) possible trades carries 1/Lᵃ (1/L) of it.</summary>
    SharedOverLots,
}

/// <summary>How the SMES fallback is settled and its revenue counted.</summary>
public enum SmesSettlementRule
{
    /// <summary>
    /// Eq. 1 as written: R_sm = C_ep·P_sm·Δt − k_sm·|P_sm|·Δt on the converter's net power P_sm (+ discharge); each
    /// served buyer pays, and each absorbed seller is paid, C_ep per kWh, so the SMES's cash is C_ep·P_sm·Δt.
    /// </summary>
    GridPriceOnNetPower,

    /// <summary>
    /// Deviation: each counterparty keeps its failed trade's price; revenue Σ p·(discharged − charged) − k_sm·(discharged +
    /// charged), i.e. maintenance on the gross energy through the converter.
    /// </summary>
    TradePriceGross,
}
