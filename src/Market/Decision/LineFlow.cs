namespace Gateway.Market.Decision;

/// <summary>Planned flow of a line after the decision (kW, + = away from the root) and its limit.</summary>
public sealed record LineFlow(string LineId, double FlowKw, double LimitKw, double BaseFlowKw);
