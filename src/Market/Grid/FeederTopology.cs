using Gateway.Market.Model;

namespace Gateway.Market.Grid;

/// <summary>The radial feeder as a rooted tree: for each node, the line to its parent, so a path is two climbs to the common ancestor.</summary>
public sealed class FeederTopology
{
    private readonly Dictionary<string, int> nodeIndex = new(StringComparer.Ordinal);
    private readonly int[] parentLine;
    private readonly int[] parentNode;
    private readonly int[] depth;

    /// <summary>Builds the tree; the feeder must already be validated (a tree rooted at its root node).</summary>
    public FeederTopology(Feeder feeder)
    {
        Feeder = feeder;
        for (var i = 0; i < feeder.Nodes.Count; i++) nodeIndex[feeder.Nodes[i].Id] = i;
        var n = feeder.Nodes.Count;
        parentLine = Enumerable.Repeat(-1, n).ToArray();
        parentNode = Enumerable.Repeat(-1, n).ToArray();
        depth = new int[n];
        for (var l = 0; l < feeder.Lines.Count; l++)
        {
            var to = nodeIndex[feeder.Lines[l].ToNodeId];
            parentLine[to] = l;
            parentNode[to] = nodeIndex[feeder.Lines[l].FromNodeId];
        }

        var root = nodeIndex[feeder.RootNodeId];
        for (var v = 0; v < n; v++)
        {
            var d = 0;
            for (var u = v; u != root; u = parentNode[u]) d++;
            depth[v] = d;
        }
    }

    /// <summary>The feeder this topology was built from.</summary>
    public Feeder Feeder { get; }

    /// <summary>
    /// Lines crossed by power moving from <paramref name="fromNodeId"/> to <paramref name="toNodeId"/>, each with the sign
    /// of the flow it adds in the line's own orientation (+1 = away from the root).
    /// </summary>
    public IReadOnlyList<(int Line, int Sign)> Path(string fromNodeId, string toNodeId)
    {
        var a = nodeIndex[fromNodeId];
        var b = nodeIndex[toNodeId];
        var up = new List<(int, int)>();
        var down = new List<(int, int)>();
        while (depth[a] > depth[b]) { up.Add((parentLine[a], -1)); a = parentNode[a]; }
        while (depth[b] > depth[a]) { down.Add((parentLine[b], +1)); b = parentNode[b]; }
        while (a != b)
        {
            up.Add((parentLine[a], -1)); a = parentNode[a];
            down.Add((parentLine[b], +1)); b = parentNode[b];
        }

        down.Reverse();
        up.AddRange(down);
        return up;
    }

    /// <summary>Flows (kW, line orientation) of the base loads alone, all served from the root.</summary>
    public double[] BaseFlowsKw()
    {
        var flows = new double[Feeder.Lines.Count];
        foreach (var node in Feeder.Nodes)
        {
            if (node.BaseLoadKw == 0) continue;
            foreach (var (line, sign) in Path(Feeder.RootNodeId, node.Id)) flows[line] += sign * node.BaseLoadKw;
        }

        return flows;
    }
}
