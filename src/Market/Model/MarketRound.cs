namespace Gateway.Market.Model;

/// <summary>Everything one market interval is cleared from.</summary>
/// <param name="RoundId">Identifier of the round (journal key).</param>
/// <param name="IntervalHours">Length Δt of the market interval in hours (the paper uses 1 h).</param>
/// <param name="GridPricePerKwh">Time-of-use price C_ep at which buyers could buy from the grid/retailer this interval.</param>
/// <param name="FeedInPricePerKwh">Price the retailer pays for energy fed into the grid this interval.</param>
/// <param name="Participants">The quotations of EVs and PV.</param>
/// <param name="Smes">The SMES unit, or null when the feeder has none.</param>
/// <param name="Feeder">The radial feeder the trades flow over.</param>
/// <remarks><see cref="Rules"/> says how the round is cleared (default: the paper as written, exact execution).</remarks>
public sealed record MarketRound(
    string RoundId,
    double IntervalHours,
    double GridPricePerKwh,
    double FeedInPricePerKwh,
    IReadOnlyList<Quotation> Participants,
    SmesUnit? Smes,
    Feeder Feeder)
{
    /// <summary>How the round is cleared; <see cref="MarketRules.Paper"/> unless set.</summary>
    public MarketRules Rules { get; init; } = MarketRules.Paper;
}
