namespace Gateway.Market.Model;

/// <summary>A radial distribution feeder: a tree of lines rooted at the substation node (where the grid connects).</summary>
public sealed record Feeder(string RootNodeId, IReadOnlyList<FeederNode> Nodes, IReadOnlyList<FeederLine> Lines);
