using Gateway.Market.Matching;
using Google.OrTools.Graph;

namespace Gateway.Bench;

/// <summary>
/// OR-Tools' own graph solvers on the same b-matching as ours, as side-by-side anchors: every optimum they report must
/// carry the same integer weight.
/// </summary>
internal static class OrToolsAnchors
{
    /// <summary>
    /// Min-cost flow (OR-Tools <c>MinCostFlow</c>): source → buyer (capacity Lᵃ), buyer → seller (capacity 1, cost −Q),
    /// seller → sink (capacity L), buyer → sink (capacity Lᵃ, cost 0: lots left unmatched). Returns the matched weight.
    /// </summary>
    public static long MinCostFlowWeight(CandidateGraph graph)
    {
        var m = graph.Buyers.Count;
        var n = graph.Sellers.Count;
        int source = m + n, sink = m + n + 1;
        var flow = new MinCostFlow();
        long lots = 0;
        for (var i = 0; i < m; i++)
        {
            flow.AddArcWithCapacityAndUnitCost(source, i, graph.Buyers[i].MaxTrades, 0);
            flow.AddArcWithCapacityAndUnitCost(i, sink, graph.Buyers[i].MaxTrades, 0);
            lots += graph.Buyers[i].MaxTrades;
        }

        foreach (var e in graph.Edges) flow.AddArcWithCapacityAndUnitCost(e.Buyer, m + e.Seller, 1, -e.Weight);
        for (var j = 0; j < n; j++) flow.AddArcWithCapacityAndUnitCost(m + j, sink, graph.Sellers[j].MaxTrades, 0);
        flow.SetNodeSupply(source, lots);
        flow.SetNodeSupply(sink, -lots);
        var status = flow.Solve();
        if (status != MinCostFlowBase.Status.OPTIMAL) throw new InvalidOperationException($"OR-Tools min-cost flow: {status}");
        return -flow.OptimalCost();
    }

    /// <summary>
    /// Linear-sum assignment (OR-Tools <c>LinearSumAssignment</c>) on the exact reduction of b-matching with each pair at
    /// most once to a perfect assignment. Left: buyer lots, one node e_s per candidate pair, one slack per seller lot;
    /// right: seller lots, one node e_b per pair, one slack per buyer lot. A buyer lot takes e_b of one of its pairs or
    /// its own slack; e_s takes e_b (pair unused) or a lot of the pair's seller at cost −Q (pair used); a seller lot not
    /// used is taken by its own slack; seller slacks freed by used lots take the buyer slacks freed by used lots (every
    /// such pairing, cost 0). Its optimum is the maximum-weight b-matching. Returns the matched weight.
    /// </summary>
    public static long AssignmentWeight(CandidateGraph graph)
    {
        var buyerLotStart = Starts(graph.Buyers.Select(b => b.MaxTrades).ToArray());
        var sellerLotStart = Starts(graph.Sellers.Select(s => s.MaxTrades).ToArray());
        int bl = buyerLotStart[^1], sl = sellerLotStart[^1], e = graph.Edges.Count;
        // Left: [0, bl) buyer lots, [bl, bl + e) pair nodes e_s, [bl + e, bl + e + sl) seller slacks.
        // Right: [0, sl) seller lots, [sl, sl + e) pair nodes e_b, [sl + e, sl + e + bl) buyer slacks.
        using var lsa = new LinearSumAssignment();
        for (var k = 0; k < e; k++)
        {
            var edge = graph.Edges[k];
            for (var lot = buyerLotStart[edge.Buyer]; lot < buyerLotStart[edge.Buyer + 1]; lot++) lsa.AddArcWithCost(lot, sl + k, 0);
            lsa.AddArcWithCost(bl + k, sl + k, 0);
            for (var lot = sellerLotStart[edge.Seller]; lot < sellerLotStart[edge.Seller + 1]; lot++) lsa.AddArcWithCost(bl + k, lot, -edge.Weight);
        }

        for (var lot = 0; lot < bl; lot++) lsa.AddArcWithCost(lot, sl + e + lot, 0);
        for (var lot = 0; lot < sl; lot++)
        {
            lsa.AddArcWithCost(bl + e + lot, lot, 0);
            for (var b = 0; b < bl; b++) lsa.AddArcWithCost(bl + e + lot, sl + e + b, 0);
        }

        var status = lsa.Solve();
        if (status != LinearSumAssignment.Status.OPTIMAL) throw new InvalidOperationException($"OR-Tools linear-sum assignment: {status}");
        return -lsa.OptimalCost();
    }

    private static int[] Starts(int[] capacities)
    {
        var start = new int[capacities.Length + 1];
        for (var i = 0; i < capacities.Length; i++) start[i + 1] = start[i] + capacities[i];
        return start;
    }
}
