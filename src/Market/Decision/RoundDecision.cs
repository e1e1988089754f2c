namespace Gateway.Market.Decision;

/// <summary>Everything the market core decides for one round.</summary>
/// <param name="RoundId">The round's id.</param>
/// <param name="BuyerIds">Buyers, ordinal order.</param>
/// <param name="SellerIds">Sellers, ordinal order.</param>
/// <param name="Candidates">Every buyer–seller pair with a positive weight.</param>
/// <param name="Trades">The matched trades with price, split and safety outcome.</param>
/// <param name="SmesActions">Fallback actions of the SMES.</param>
/// <param name="Smes">SMES state after the round, or null without an SMES.</param>
/// <param name="Payoffs">Nucleolus payoff of every participant (0 for the unmatched), by id.</param>
/// <param name="RealizedIncome">Relative income each participant realises after the safety check and the fallback.</param>
/// <param name="Settlements">Who pays whom for what.</param>
/// <param name="LineFlows">Line flows after the decision: base loads, executed trades, SMES actions and every PV at its feed-in cap — every flow the gateway dispatches.</param>
/// <param name="Kpis">Round KPIs.</param>
/// <param name="Warnings">Conditions the decision could not fix (e.g. a line overloaded by base load alone).</param>
public sealed record RoundDecision(
    string RoundId,
    IReadOnlyList<string> BuyerIds,
    IReadOnlyList<string> SellerIds,
    IReadOnlyList<CandidatePair> Candidates,
    IReadOnlyList<Trade> Trades,
    IReadOnlyList<SmesAction> SmesActions,
    SmesOutcome? Smes,
    IReadOnlyDictionary<string, double> Payoffs,
    IReadOnlyDictionary<string, double> RealizedIncome,
    IReadOnlyList<Settlement> Settlements,
    IReadOnlyList<LineFlow> LineFlows,
    RoundKpis Kpis,
    IReadOnlyList<string> Warnings)
{
    /// <summary>How the executed trades were chosen (rule, executed weight, proof of optimality); null for a decision made elsewhere.</summary>
    public Grid.ExecutionReport? Execution { get; init; }

    /// <summary>Per PV seller: how much it may export beyond what it sold, within the line windows (worst case in <see cref="LineFlows"/>).</summary>
    public IReadOnlyList<FeedInAllowance> FeedIn { get; init; } = [];

    /// <summary>The rules the round was cleared under.</summary>
    public Model.MarketRules Rules { get; init; } = Model.MarketRules.Paper;
}
