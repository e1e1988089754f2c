namespace Gateway.Market.Pricing;

/// <summary>A set of excess rows as a CSR digraph over the current parts, remembering which row each arc came from.</summary>
internal sealed class RowGraph
{
    private readonly Dictionary<int, int> arcOfRow;

    private RowGraph(int[] first, int[] target, double[] weight, int[] row)
    {
        First = first;
        Target = target;
        Weight = weight;
        Row = row;
        arcOfRow = new Dictionary<int, int>(row.Length);
        for (var a = 0; a < row.Length; a++) arcOfRow[row[a]] = a;
    }

    /// <summary>Arcs leaving node u are First[u] .. First[u+1]−1.</summary>
    public int[] First { get; }

    /// <summary>Head of each arc.</summary>
    public int[] Target { get; }

    /// <summary>Weight of each arc.</summary>
    public double[] Weight { get; }

    /// <summary>The row each arc stands for.</summary>
    public int[] Row { get; }

    /// <summary>The arc of row <paramref name="row"/>, or −1 when the row is not in the graph.</summary>
    public int ArcOfRow(int row) => row >= 0 && arcOfRow.TryGetValue(row, out var a) ? a : -1;

    /// <summary>Builds the graph of <paramref name="rows"/>; rows whose two ends fall in the same node are left out.</summary>
    public static RowGraph FromRows(List<int> rows, int nodeCount, Func<int, int> from, Func<int, int> to, Func<int, double> weight)
    {
        var first = new int[nodeCount + 1];
        var kept = new List<int>(rows.Count);
        foreach (var r in rows)
        {
            if (from(r) == to(r)) continue;
            kept.Add(r);
            first[from(r) + 1]++;
        }

        for (var u = 0; u < nodeCount; u++) first[u + 1] += first[u];
        var fill = (int[])first.Clone();
        var target = new int[kept.Count];
        var weights = new double[kept.Count];
        var rowOfArc = new int[kept.Count];
        foreach (var r in kept)
        {
            var a = fill[from(r)]++;
            target[a] = to(r);
            weights[a] = weight(r);
            rowOfArc[a] = r;
        }

        return new RowGraph(first, target, weights, rowOfArc);
    }
}
