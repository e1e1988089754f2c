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
/// <param name="LineFlows">Planned line flows after the decision.</param>
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
    IReadOnlyList<string> Warnings);
