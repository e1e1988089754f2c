namespace Gateway.Market.Decision;

/// <summary>
/// A line after the decision, kW in its orientation (+ = away from the root): <paramref name="FlowKw"/> with every flow
/// the gateway dispatches (base loads, executed trades, SMES actions, every PV exporting up to its feed-in cap — the worst
/// case), <paramref name="MarketFlowKw"/> the same without PV feed-in beyond sales, and the base flow alone.
/// </summary>
public sealed record LineFlow(string LineId, double FlowKw, double LimitKw, double BaseFlowKw, double MarketFlowKw);
