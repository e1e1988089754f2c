namespace Gateway.Market.Pricing;

/// <summary>
/// When did two nodes of the row graph end up in one part? Every contraction of a stage adds a tree node above the parts it
/// merges, stamped with the stage; the stage at which two nodes joined is the stamp of their lowest common ancestor
/// (binary lifting, O(log n) per query).
/// </summary>
internal sealed class ContractionTree
{
    private readonly List<int> parent = [];
    private readonly List<int> stamp = [];
    private readonly int[] top;
    private int[][]? up;
    private int[]? depth;

    /// <summary>A forest of <paramref name="nodeCount"/> single nodes.</summary>
    public ContractionTree(int nodeCount)
    {
        top = new int[nodeCount];
        for (var v = 0; v < nodeCount; v++)
        {
            parent.Add(-1);
            stamp.Add(0);
            top[v] = v;
        }
    }

    /// <summary>At <paramref name="stage"/>, the parts led by <paramref name="groups"/> (node ids of their leaders) merge under <paramref name="leader"/>.</summary>
    public void Merge(int stage, IReadOnlyList<int> groups, int leader)
    {
        var z = parent.Count;
        parent.Add(-1);
        stamp.Add(stage);
        foreach (var g in groups) parent[top[g]] = z;
        top[leader] = z;
        up = null;
    }

    /// <summary>The stage at which <paramref name="a"/> and <paramref name="b"/> joined one part (int.MaxValue if never).</summary>
    public int JoinedAt(int a, int b)
    {
        if (a == b) return 0;
        Build();
        if (depth![a] < depth[b]) (a, b) = (b, a);
        var diff = depth[a] - depth[b];
        for (var k = 0; diff > 0; k++, diff >>= 1)
            if ((diff & 1) != 0) a = up![k][a];
        if (a == b) return stamp[a];
        for (var k = up!.Length - 1; k >= 0; k--)
        {
            if (up[k][a] != up[k][b])
            {
                a = up[k][a];
                b = up[k][b];
            }
        }

        var lca = up[0][a];
        return lca == up[0][b] && lca != a ? stamp[lca] : int.MaxValue;
    }

    private void Build()
    {
        if (up is not null) return;
        var n = parent.Count;
        depth = new int[n];
        // Parents are always created after their children, so a backwards sweep sets depths top-down.
        for (var v = n - 1; v >= 0; v--) depth[v] = parent[v] < 0 ? 0 : depth[parent[v]] + 1;
        var levels = 1;
        while ((1 << levels) < n) levels++;
        up = new int[levels][];
        up[0] = new int[n];
        for (var v = 0; v < n; v++) up[0][v] = parent[v] < 0 ? v : parent[v];
        for (var k = 1; k < levels; k++)
        {
            up[k] = new int[n];
            for (var v = 0; v < n; v++) up[k][v] = up[k - 1][up[k - 1][v]];
        }
    }
}
