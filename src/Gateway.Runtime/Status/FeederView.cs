namespace Gateway.Runtime.Status;

/// <summary>
/// The feeder now: each line's flow against its limit, from the devices' measured power and the nodes' base loads
/// (measured) and from the setpoints in force (planned). Positive flow runs up the feeder towards the grid ("→ grid"),
/// negative down from it ("← grid"), as every power in the gateway: positive = delivered to the grid.
/// </summary>
/// <param name="Topology">Nodes and lines.</param>
/// <param name="Lines">Flow of every line.</param>
/// <param name="FailedTrades">Trades of the newest decided round that a line's limit failed, with the line.</param>
/// <param name="RoundId">The round the failed trades and planned flows come from.</param>
internal sealed record FeederView(FeederTopology Topology, IReadOnlyList<LineFlow> Lines, IReadOnlyList<TradeSummary> FailedTrades, string? RoundId);

/// <summary>One line's flow.</summary>
/// <param name="LineId">Line id.</param>
/// <param name="LimitKw">Its limit, kW.</param>
/// <param name="MeasuredFlowKw">Flow from measured device power and base loads, kW (positive = towards the grid); null when a device below it has no reading.</param>
/// <param name="PlannedFlowKw">Flow the setpoints in force ask for, kW (positive = towards the grid).</param>
/// <param name="Loading">|measured flow| ÷ limit (0–1 and beyond); null without a measured flow.</param>
/// <param name="Stale">True when a value below the line is stale.</param>
internal sealed record LineFlow(string LineId, double LimitKw, double? MeasuredFlowKw, double PlannedFlowKw, double? Loading, bool Stale);
