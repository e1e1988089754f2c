using Gateway.Market.Model;

namespace Gateway.Market.Grid;

/// <summary>The radial feeder as a rooted tree: for each node, the line to its parent, so a path is two climbs to the common ancestor.</summary>
internal sealed class FeederTopology
{
    private readonly Dictionary<string, int> _nodeIndex = new(StringComparer.Ordinal);
    private readonly int[] _parentLine;
    private readonly int[] _parentNode;
    private readonly int[] _depth;

    /// <summary>Builds the tree; the feeder must already be validated (a tree rooted at its root node).</summary>
    public FeederTopology(Feeder feeder)
    {
        Feeder = feeder;
        for (var i = 0; i < feeder.Nodes.Count; i++) _nodeIndex[feeder.Nodes[i].Id] = i;
        var n = feeder.Nodes.Count;
        _parentLine = Enumerable.Repeat(-1, n).ToArray();
        _parentNode = Enumerable.Repeat(-1, n).ToArray();
        _depth = new int[n];
        for (var l = 0; l < feeder.Lines.Count; l++)
        {
            var to = _nodeIndex[feeder.Lines[l].ToNodeId];
            _parentLine[to] = l;
            _parentNode[to] = _nodeIndex[feeder.Lines[l].FromNodeId];
        }

        var root = _nodeIndex[feeder.RootNodeId];
        for (var v = 0; v < n; v++)
        {
            var d = 0;
            for (var u = v; u != root; u = _parentNode[u]) d++;
            _depth[v] = d;
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
        var a = _nodeIndex[fromNodeId];
        var b = _nodeIndex[toNodeId];
        var up = new List<(int, int)>();
        var down = new List<(int, int)>();
        while (_depth[a] > _depth[b]) { up.Add((_parentLine[a], -1)); a = _parentNode[a]; }
        while (_depth[b] > _depth[a]) { down.Add((_parentLine[b], +1)); b = _parentNode[b]; }
        while (a != b)
        {
            up.Add((_parentLine[a], -1)); a = _parentNode[a];
            down.Add((_parentLine[b], +1)); b = _parentNode[b];
        }

        down.Reverse();
        up.AddRange(down);
        return up;
    }

    /// <summary>Flows (kW, line orientation) of the base loads alone, all served from the root.</summary>
    internal double[] BaseFlowsKw()
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
