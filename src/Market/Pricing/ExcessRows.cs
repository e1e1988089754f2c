namespace Gateway.Market.Pricing;

/// <summary>
/// The essential coalitions of an <see cref="AssignmentGame"/> as excess rows over the trades' buyer shares u.
/// <para>
/// For a game with a non-empty core the nucleolus is determined by its essential coalitions (Huberman 1980): here the
/// single lots and the buyer-lot–seller-lot pairs. On the core's affine hull (each trade's two lots share its surplus,
/// free lots get 0) each such coalition's excess is κ − (u[From] − u[To]), where From is the trade of the buyer lot and To
/// the trade of the seller lot, or the zero node (u = 0) for a free or absent lot. Node 0 is that zero node, node t + 1
/// is trade t. Of coalitions with the same (From, To) only the largest κ can ever bind, so one row per node pair is kept.
/// </para>
/// </summary>
internal sealed class ExcessRows
{
    private const int DenseLimit = 9_000_000;

    private ExcessRows(int nodeCount, int[] from, int[] to, double[] kappa, double[] nodeWeight)
    {
        NodeCount = nodeCount;
        From = from;
        To = to;
        Kappa = kappa;
        Constant = new double[kappa.Length];
        for (var r = 0; r < kappa.Length; r++) Constant[r] = kappa[r] + nodeWeight[to[r]];
    }

    /// <summary>Trades + 1 (the zero node).</summary>
    public int NodeCount { get; }

    /// <summary>Node of the buyer lot's trade (0 for a free lot or a seller's singleton).</summary>
    public int[] From { get; }

    /// <summary>Node of the seller lot's trade (0 for a free lot or a buyer's singleton).</summary>
    public int[] To { get; }

    /// <summary>v(S) minus what the coalition's matched partners outside it are owed: excess = κ − u[From] + u[To].</summary>
    public double[] Kappa { get; }

    /// <summary>
    /// K = κ + w[To]: the part of κ that does not depend on the trades' own weights (w[0] = 0), so κ = K − w[To] for any
    /// re-weighting of the trades. The row kept per (From, To) is the same for every such re-weighting.
    /// </summary>
    public double[] Constant { get; }

    /// <summary>Number of rows.</summary>
    public int Count => Kappa.Length;

    /// <summary>κ of every row when trade t weighs <paramref name="tradeWeights"/>[t].</summary>
    public double[] KappaFor(IReadOnlyList<double> tradeWeights)
    {
        var w = new double[NodeCount];
        for (var t = 0; t < tradeWeights.Count; t++) w[t + 1] = tradeWeights[t];
        var kappa = new double[Count];
        for (var r = 0; r < kappa.Length; r++) kappa[r] = Constant[r] - w[To[r]];
        return kappa;
    }

    /// <summary>Builds the rows of <paramref name="game"/>.</summary>
    /// <exception cref="ArgumentException">A candidate pair joins two free lots: the trades are not an optimal matching.</exception>
    public static ExcessRows Build(AssignmentGame game)
    {
        var k = game.Trades.Count;
        var n = k + 1;
        var tradeWeight = new double[n];
        var buyerNodes = Nodes(game.BuyerCapacities, game.BuyerTradeCount, game, t => game.Edges[game.Trades[t]].Buyer);
        var sellerNodes = Nodes(game.SellerCapacities, game.SellerTradeCount, game, t => game.Edges[game.Trades[t]].Seller);
        var trading = new HashSet<(int, int)>();
        for (var t = 0; t < k; t++)
        {
            var e = game.Edges[game.Trades[t]];
            tradeWeight[t + 1] = e.Weight;
            trading.Add((e.Buyer, e.Seller));
        }

        var table = new RowTable(n, (long)n * n <= DenseLimit);
        for (var node = 1; node < n; node++)
        {
            table.Offer(node, 0, 0);                       // the buyer lot alone
            table.Offer(0, node, -tradeWeight[node]);      // the seller lot alone
        }

        foreach (var e in game.Edges)
        {
            if (e.Weight <= 0 || trading.Contains((e.Buyer, e.Seller))) continue;
            foreach (var from in buyerNodes[e.Buyer])
            {
                foreach (var to in sellerNodes[e.Seller])
                {
                    if (from == 0 && to == 0)
                        throw new ArgumentException($"buyer {e.Buyer} and seller {e.Seller} both have a free lot and a surplus of {e.Weight}: the trades are not an optimal matching");
                    table.Offer(from, to, e.Weight - tradeWeight[to]);
                }
            }
        }

        return table.ToRows(tradeWeight);
    }

    // The nodes a participant's lots sit on: its trades, and the zero node once if it has a free lot.
    private static List<int>[] Nodes(IReadOnlyList<int> capacities, int[] used, AssignmentGame game, Func<int, int> owner)
    {
        var nodes = new List<int>[capacities.Count];
        for (var p = 0; p < nodes.Length; p++) nodes[p] = used[p] < capacities[p] ? [0] : [];
        for (var t = 0; t < game.Trades.Count; t++) nodes[owner(t)].Add(t + 1);
        return nodes;
    }

    /// <summary>Largest κ per (From, To): a dense matrix while it is small, a hash table beyond.</summary>
    private sealed class RowTable(int n, bool dense)
    {
        private readonly double[]? _matrix = dense ? Filled(n) : null;
        private readonly Dictionary<long, double>? _map = dense ? null : new();

        public void Offer(int from, int to, double kappa)
        {
            var key = (long)from * n + to;
            if (_matrix is not null)
            {
                if (kappa > _matrix[key]) _matrix[key] = kappa;
            }
            else if (!_map!.TryGetValue(key, out var old) || kappa > old)
            {
                _map[key] = kappa;
            }
        }

        public ExcessRows ToRows(double[] nodeWeight)
        {
            var keys = new List<long>();
            var values = new List<double>();
            if (_matrix is not null)
            {
                for (long key = 0; key < _matrix.Length; key++)
                {
                    if (double.IsNegativeInfinity(_matrix[key])) continue;
                    keys.Add(key);
                    values.Add(_matrix[key]);
                }
            }
            else
            {
                foreach (var (key, value) in _map!.OrderBy(p => p.Key))
                {
                    keys.Add(key);
                    values.Add(value);
                }
            }

            var from = new int[keys.Count];
            var to = new int[keys.Count];
            for (var r = 0; r < keys.Count; r++)
            {
                from[r] = (int)(keys[r] / n);
                to[r] = (int)(keys[r] % n);
            }

            return new ExcessRows(n, from, to, values.ToArray(), nodeWeight);
        }

        private static double[] Filled(int n)
        {
            var m = new double[(long)n * n];
            Array.Fill(m, double.NegativeInfinity);
            return m;
        }
    }
}
