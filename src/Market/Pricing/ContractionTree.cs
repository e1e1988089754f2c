namespace Gateway.Market.Pricing;

/// <summary>
/// When did two nodes of the row graph end up in one part? Every contraction of a stage adds a tree node above the parts it
/// merges, stamped with the stage; the stage at which two nodes joined is the stamp of their lowest common ancestor
/// (binary lifting, O(log n) per query).
/// </summary>
internal sealed class ContractionTree
{
    private readonly List<int> _parent = [];
    private readonly List<int> _stamp = [];
    private readonly int[] _top;
    private int[][]? _up;
    private int[]? _depth;

    /// <summary>A forest of <paramref name="nodeCount"/> single nodes.</summary>
    public ContractionTree(int nodeCount)
    {
        _top = new int[nodeCount];
        for (var v = 0; v < nodeCount; v++)
        {
            _parent.Add(-1);
            _stamp.Add(0);
            _top[v] = v;
        }
    }

    /// <summary>At <paramref name="stage"/>, the parts led by <paramref name="groups"/> (node ids of their leaders) merge under <paramref name="leader"/>.</summary>
    public void Merge(int stage, IReadOnlyList<int> groups, int leader)
    {
        var z = _parent.Count;
        _parent.Add(-1);
        _stamp.Add(stage);
        foreach (var g in groups) _parent[_top[g]] = z;
        _top[leader] = z;
        _up = null;
    }

    /// <summary>The stage at which <paramref name="a"/> and <paramref name="b"/> joined one part (int.MaxValue if never).</summary>
    public int JoinedAt(int a, int b)
    {
        if (a == b) return 0;
        Build();
        if (_depth![a] < _depth[b]) (a, b) = (b, a);
        var diff = _depth[a] - _depth[b];
        for (var k = 0; diff > 0; k++, diff >>= 1)
            if ((diff & 1) != 0) a = _up![k][a];
        if (a == b) return _stamp[a];
        for (var k = _up!.Length - 1; k >= 0; k--)
        {
            if (_up[k][a] != _up[k][b])
            {
                a = _up[k][a];
                b = _up[k][b];
            }
        }

        var lca = _up[0][a];
        return lca == _up[0][b] && lca != a ? _stamp[lca] : int.MaxValue;
    }

    private void Build()
    {
        if (_up is not null) return;
        var n = _parent.Count;
        _depth = new int[n];
        // Parents are always created after their children, so a backwards sweep sets depths top-down.
        for (var v = n - 1; v >= 0; v--) _depth[v] = _parent[v] < 0 ? 0 : _depth[_parent[v]] + 1;
        var levels = 1;
        while ((1 << levels) < n) levels++;
        _up = new int[levels][];
        _up[0] = new int[n];
        for (var v = 0; v < n; v++) _up[0][v] = _parent[v] < 0 ? v : _parent[v];
        for (var k = 1; k < levels; k++)
        {
            _up[k] = new int[n];
            for (var v = 0; v < n; v++) _up[k][v] = _up[k - 1][_up[k - 1][v]];
        }
    }
}
