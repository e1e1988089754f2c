namespace Gateway.Market.Decision;

/// <summary>
/// What a PV seller may deliver this interval: what it sold (executed trades and energy the SMES absorbed) plus feed-in to
/// the grid up to its rating, as far as every line between it and the root has export headroom after the round's other
/// flows. The gateway caps the inverter at <paramref name="CapKw"/>; output beyond it is curtailed, so no PV flow leaves
/// the safety check.
/// </summary>
/// <param name="ParticipantId">The PV seller.</param>
/// <param name="SoldKw">Average power it sold (trades and SMES).</param>
/// <param name="FeedInKw">Export allowed beyond its sales.</param>
/// <param name="CapKw">Sales + feed-in: the inverter's export cap.</param>
/// <param name="LimitedBy">"line:ID" when a line's headroom set the feed-in, "rating" when the inverter's rating did.</param>
public sealed record FeedInAllowance(string ParticipantId, double SoldKw, double FeedInKw, double CapKw, string LimitedBy);
