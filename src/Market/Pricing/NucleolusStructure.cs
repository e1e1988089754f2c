namespace Gateway.Market.Pricing;

/// <summary>
/// How <see cref="AssignmentNucleolus"/> fixed the shares of one game, stage by stage: a zero-slack cycle per stage (its
/// mean is the stage's ε) and the trees of zero-slack rows along which parts merged. Every row's constant is
/// κ = K − w[To] (K fixed, w the trades' weights), so along a fixed structure the shares are an affine function of the trade
/// weights: <see cref="Replay"/> evaluates it for other weights in time linear in the structure. It gives the nucleolus of
/// the re-weighted game while no other row becomes binding and no stage changes, which the caller checks by solving that
/// game in full; under eq. 2 the fixed point of weights and prices is iterated cheaply along the structure this way.
/// </summary>
internal sealed class NucleolusStructure(int nodeCount)
{
    private readonly List<(int From, int To, double K)> _recorded = [];
    private readonly Dictionary<int, int> _indexOfRow = [];

    /// <summary>One row of a merge tree: part <paramref name="Group"/> joins <paramref name="Parent"/> (and so <paramref name="Representative"/>) through row <paramref name="Row"/>.</summary>
    public readonly record struct Merge(int Group, int Row, int Parent, int Representative);

    /// <summary>One stage.</summary>
    public sealed class Stage
    {
        /// <summary>Rows of a zero-slack cycle (indices into the recorded rows).</summary>
        public int[] Cycle { get; set; } = [];

        /// <summary>The stage's ε as computed.</summary>
        public double Lambda { get; set; }

        /// <summary>Merges, parents before children.</summary>
        public List<Merge> Merges { get; } = [];
    }

    /// <summary>The stages in order.</summary>
    public List<Stage> Stages { get; } = [];

    /// <summary>Trades + 1 (node 0 is the zero node).</summary>
    public int NodeCount => nodeCount;

    /// <summary>Records row <paramref name="row"/> of <paramref name="rows"/> (once) and returns its index here.</summary>
    public int AddRow(int row, ExcessRows rows)
    {
        if (_indexOfRow.TryGetValue(row, out var index)) return index;
        index = _recorded.Count;
        _recorded.Add((rows.From[row], rows.To[row], rows.Constant[row]));
        _indexOfRow[row] = index;
        return index;
    }

    /// <summary>The buyer shares along this structure for trade weights <paramref name="tradeWeights"/>.</summary>
    public double[] Replay(IReadOnlyList<double> tradeWeights)
    {
        var n = nodeCount;
        var weight = new double[n];
        for (var t = 0; t < tradeWeights.Count; t++) weight[t + 1] = tradeWeights[t];
        var offset = new double[n];
        var group = new int[n];
        var members = new List<int>[n];
        for (var v = 0; v < n; v++)
        {
            group[v] = v;
            members[v] = [v];
        }

        double W(int r)
        {
            var (from, to, k) = _recorded[r];
            return k - weight[to] - offset[from] + offset[to];
        }

        var shift = new Dictionary<int, double>();
        foreach (var stage in Stages)
        {
            double lambda = 0;
            foreach (var r in stage.Cycle) lambda += W(r);
            lambda = stage.Cycle.Length > 0 ? lambda / stage.Cycle.Length : stage.Lambda;
            shift.Clear();
            foreach (var m in stage.Merges)
            {
                var parentShift = m.Parent == m.Representative ? 0 : shift[m.Parent];
                shift[m.Group] = W(m.Row) - lambda + parentShift;
            }

            foreach (var m in stage.Merges)
            {
                var d = shift[m.Group];
                foreach (var v in members[m.Group])
                {
                    offset[v] += d;
                    group[v] = m.Representative;
                }

                members[m.Representative].AddRange(members[m.Group]);
                members[m.Group] = [];
            }
        }

        var shares = new double[n - 1];
        for (var t = 0; t < shares.Length; t++) shares[t] = offset[t + 1] - offset[0];
        return shares;
    }
}
