namespace Gateway.Runtime.Status;

/// <summary>The radial feeder as the dashboard draws it: nodes with their base load and devices, lines with their limits.</summary>
/// <param name="RootNodeId">Where the feeder meets the grid.</param>
/// <param name="Nodes">Every node.</param>
/// <param name="Lines">Every line, each from its upstream node (towards the root) to its downstream node.</param>
internal sealed record FeederTopology(string RootNodeId, IReadOnlyList<FeederDiagramNode> Nodes, IReadOnlyList<FeederDiagramLine> Lines);

/// <summary>A feeder node.</summary>
/// <param name="Id">Node id.</param>
/// <param name="BaseLoadKw">Load that does not trade, kW.</param>
/// <param name="DeviceIds">Devices connected here.</param>
internal sealed record FeederDiagramNode(string Id, double BaseLoadKw, IReadOnlyList<string> DeviceIds);

/// <summary>A line (or transformer).</summary>
/// <param name="Id">Line id.</param>
/// <param name="FromNodeId">Upstream node.</param>
/// <param name="ToNodeId">Downstream node.</param>
/// <param name="LimitKw">Thermal limit in either direction, kW.</param>
internal sealed record FeederDiagramLine(string Id, string FromNodeId, string ToNodeId, double LimitKw);
