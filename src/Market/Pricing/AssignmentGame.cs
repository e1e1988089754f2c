namespace Gateway.Market.Pricing;

/// <summary>
/// The cooperative game of one round (Li et al. eqs. 9–11): buyers and sellers with trade capacities (Lᵃ[i], L[j]),
/// the candidate pairs with their surplus Q[i,j], and the trades of an optimal b-matching. A participant with capacity c is
/// c players (lots) of a Shapley–Shubik assignment game; the lots of a pair that already trades have no further edge
/// between them (eq. 6 allows one trade per pair). With every capacity 1 this is the plain assignment game.
/// </summary>
/// <remarks>
/// The b-matching stays optimal in the lot game (its LP duals give every lot of a participant at least the participant's
/// dual, and a free lot exists only where that dual is 0), so the core is non-empty and the nucleolus lies in it.
/// </remarks>
internal sealed class AssignmentGame
{
    /// <summary>Creates the game; <paramref name="trades"/> index <paramref name="edges"/> and must respect the capacities.</summary>
    /// <exception cref="ArgumentException">A trade breaks a capacity, a pair trades twice, or an index is out of range.</exception>
    public AssignmentGame(IReadOnlyList<int> buyerCapacities, IReadOnlyList<int> sellerCapacities, IReadOnlyList<AssignmentGameEdge> edges, IReadOnlyList<int> trades)
    {
        BuyerCapacities = buyerCapacities;
        SellerCapacities = sellerCapacities;
        Edges = edges;
        Trades = trades;
        var buyerUsed = new int[buyerCapacities.Count];
        var sellerUsed = new int[sellerCapacities.Count];
        var pairs = new HashSet<(int, int)>();
        foreach (var k in trades)
        {
            if ((uint)k >= (uint)edges.Count) throw new ArgumentException($"trade edge {k} does not exist");
            var e = edges[k];
            if ((uint)e.Buyer >= (uint)buyerCapacities.Count || (uint)e.Seller >= (uint)sellerCapacities.Count)
                throw new ArgumentException($"edge {k} names a buyer or seller that does not exist");
            if (++buyerUsed[e.Buyer] > buyerCapacities[e.Buyer]) throw new ArgumentException($"buyer {e.Buyer} trades more often than its capacity");
            if (++sellerUsed[e.Seller] > sellerCapacities[e.Seller]) throw new ArgumentException($"seller {e.Seller} trades more often than its capacity");
            if (!pairs.Add((e.Buyer, e.Seller))) throw new ArgumentException($"buyer {e.Buyer} and seller {e.Seller} trade twice");
        }

        BuyerTradeCount = buyerUsed;
        SellerTradeCount = sellerUsed;
    }

    /// <summary>The one-to-one assignment game: every capacity 1.</summary>
    public static AssignmentGame OneToOne(int buyerCount, int sellerCount, IReadOnlyList<AssignmentGameEdge> edges, IReadOnlyList<int> trades) =>
        new(Enumerable.Repeat(1, buyerCount).ToArray(), Enumerable.Repeat(1, sellerCount).ToArray(), edges, trades);

    /// <summary>Lᵃ[i]: most trades of each buyer.</summary>
    public IReadOnlyList<int> BuyerCapacities { get; }

    /// <summary>L[j]: most trades of each seller.</summary>
    public IReadOnlyList<int> SellerCapacities { get; }

    /// <summary>Candidate pairs with their surplus (currency); at most one edge per pair is meaningful, the largest counts.</summary>
    public IReadOnlyList<AssignmentGameEdge> Edges { get; }

    /// <summary>The trades (indices into <see cref="Edges"/>) of an optimal b-matching.</summary>
    public IReadOnlyList<int> Trades { get; }

    internal int[] BuyerTradeCount { get; }

    internal int[] SellerTradeCount { get; }

    /// <summary>
    /// The explicit one-to-one game on lots: player numbers of each trade's two lots and every lot edge. Lot games grow
    /// with the product of capacities; this is for checking against definitions on small games, not for clearing.
    /// </summary>
    public LotGame ExpandToLots()
    {
        var buyerLotStart = Starts(BuyerCapacities);
        var sellerLotStart = Starts(SellerCapacities);
        var buyerUsed = new int[BuyerCapacities.Count];
        var sellerUsed = new int[SellerCapacities.Count];
        var lotEdges = new List<AssignmentGameEdge>();
        var tradeLots = new (int BuyerLot, int SellerLot)[Trades.Count];
        var trading = new HashSet<(int, int)>();
        for (var t = 0; t < Trades.Count; t++)
        {
            var e = Edges[Trades[t]];
            tradeLots[t] = (buyerLotStart[e.Buyer] + buyerUsed[e.Buyer]++, sellerLotStart[e.Seller] + sellerUsed[e.Seller]++);
            lotEdges.Add(new AssignmentGameEdge(tradeLots[t].BuyerLot, tradeLots[t].SellerLot, e.Weight));
            trading.Add((e.Buyer, e.Seller));
        }

        foreach (var e in Edges)
        {
            if (trading.Contains((e.Buyer, e.Seller))) continue;
            for (var bl = buyerLotStart[e.Buyer]; bl < buyerLotStart[e.Buyer + 1]; bl++)
                for (var sl = sellerLotStart[e.Seller]; sl < sellerLotStart[e.Seller + 1]; sl++)
                    lotEdges.Add(new AssignmentGameEdge(bl, sl, e.Weight));
        }

        return new LotGame(buyerLotStart[^1], sellerLotStart[^1], lotEdges, tradeLots);
    }

    private static int[] Starts(IReadOnlyList<int> capacities)
    {
        var start = new int[capacities.Count + 1];
        for (var i = 0; i < capacities.Count; i++) start[i + 1] = start[i] + Math.Max(0, capacities[i]);
        return start;
    }
}
