namespace Gateway.Runtime.Journal;

/// <summary>One market round as the journal holds it.</summary>
/// <param name="RoundId">Stable id: site and interval start.</param>
/// <param name="IntervalStartUtc">Start of the market interval.</param>
/// <param name="IntervalEndUtc">End of the market interval.</param>
/// <param name="State">How far the round got.</param>
/// <param name="InputJson">The round as given to the market core (the <c>clear</c> input format).</param>
/// <param name="DecisionJson">The market core's decision in the journal's form: the <c>clear</c> output without the candidate pairs (<c>DecisionJson.SerializeForJournal</c>).</param>
/// <param name="ResultJson">Metered outcome and settlements summary, once settled.</param>
internal sealed record JournaledRound(
    string RoundId,
    DateTimeOffset IntervalStartUtc,
    DateTimeOffset IntervalEndUtc,
    RoundState State,
    string InputJson,
    string DecisionJson,
    string? ResultJson);
