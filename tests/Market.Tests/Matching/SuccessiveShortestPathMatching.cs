using Gateway.Market.Matching;

namespace Gateway.Market.Tests.Matching;

/// <summary>
/// Test oracle for <see cref="BMatchingSolver"/>, by a different exact method (it was the product's solver until the
/// cost-scaling one replaced it). Exact maximum-weight bipartite b-matching (Li et al. eqs. 5–8): each buyer i in at most Lᵃ[i] pairs, each seller j in
/// at most L[j] pairs, each pair at most once. Solved as a min-cost flow in which every buyer lot must reach the sink,
/// either through a seller (buyer → seller, capacity 1, cost −Q; seller → sink, capacity L) or by staying unmatched
/// (buyer → sink, cost 0): its optimum is the maximum-weight b-matching, not the maximum-cardinality one.
/// <para>
/// Successive shortest paths, Hungarian style: one buyer lot at a time, Dijkstra on reduced costs from that buyer to the
/// sink, stopping as soon as the sink is settled. A search from a single buyer only wanders through the sellers it could
/// take and the buyers those sellers would give up, so on a dense round it touches a small part of the graph (a search
/// from a super-source would relax every buyer's arcs each time). Integer weights keep it exact; equal-cost paths are
/// broken by node index, so the result depends only on the order of the input (callers sort by id).
/// </para>
/// </summary>
internal static class SuccessiveShortestPathMatching
{
    /// <summary>Returns the indices (ascending) of the edges in a maximum-weight b-matching.</summary>
    public static int[] Solve(int buyerCount, int sellerCount, IReadOnlyList<int> buyerCapacity, IReadOnlyList<int> sellerCapacity, IReadOnlyList<MatchingEdge> edges)
    {
        var nodeCount = buyerCount + sellerCount + 1;
        var sink = buyerCount + sellerCount;
        var arcCount = 2 * (buyerCount + sellerCount + edges.Count);
        var to = new int[arcCount];
        var cap = new int[arcCount];
        var cost = new long[arcCount];
        var first = new int[nodeCount + 1];

        // Arcs grouped per tail node in CSR layout; each arc's reverse sits at a known index.
        var degree = new int[nodeCount];
        foreach (var e in edges)
        {
            degree[e.Buyer]++;
            degree[buyerCount + e.Seller]++;
        }

        for (var i = 0; i < buyerCount; i++)
        {
            degree[i]++;
            degree[sink]++;
        }

        for (var j = 0; j < sellerCount; j++)
        {
            degree[buyerCount + j]++;
            degree[sink]++;
        }

        for (var v = 0; v < nodeCount; v++) first[v + 1] = first[v] + degree[v];
        var fill = (int[])first.Clone();
        var reverse = new int[arcCount];
        var edgeArc = new int[edges.Count];

        int AddArc(int u, int v, int capacity, long c)
        {
            var a = fill[u]++;
            var b = fill[v]++;
            to[a] = v; cap[a] = capacity; cost[a] = c;
            to[b] = u; cap[b] = 0; cost[b] = -c;
            reverse[a] = b; reverse[b] = a;
            return a;
        }

        for (var k = 0; k < edges.Count; k++)
        {
            var e = edges[k];
            if (e.Weight <= 0) throw new ArgumentException($"edge {k}: weight must be positive");
            if ((uint)e.Buyer >= (uint)buyerCount || (uint)e.Seller >= (uint)sellerCount) throw new ArgumentException($"edge {k}: buyer or seller out of range");
            edgeArc[k] = AddArc(e.Buyer, buyerCount + e.Seller, 1, -e.Weight);
        }

        for (var i = 0; i < buyerCount; i++) AddArc(i, sink, Math.Max(0, buyerCapacity[i]), 0);
        for (var j = 0; j < sellerCount; j++) AddArc(buyerCount + j, sink, Math.Max(0, sellerCapacity[j]), 0);

        // Initial potentials with every reduced cost ≥ 0: buyers 0, each seller its best offer negated, the sink the lowest.
        var potential = new long[nodeCount];
        foreach (var e in edges)
        {
            var s = buyerCount + e.Seller;
            potential[s] = Math.Min(potential[s], -e.Weight);
        }

        for (var j = 0; j < sellerCount; j++) potential[sink] = Math.Min(potential[sink], potential[buyerCount + j]);

        var dist = new long[nodeCount];
        var done = new bool[nodeCount];
        var parentArc = new int[nodeCount];
        var touched = new List<int>();
        var queue = new PriorityQueue<int, (long, int)>();
        for (var buyer = 0; buyer < buyerCount; buyer++)
        {
            for (var lot = 0; lot < buyerCapacity[buyer]; lot++)
            {
                ShortestPathToSink(buyer);
                // Augment one unit along the path and move every potential by its distance (capped at the sink's for nodes
                // not settled), which keeps all reduced costs non-negative.
                var capped = dist[sink];
                for (var v = 0; v < nodeCount; v++) potential[v] += done[v] ? dist[v] : capped;
                for (var v = sink; v != buyer;)
                {
                    var a = parentArc[v];
                    cap[a]--;
                    cap[reverse[a]]++;
                    v = to[reverse[a]];
                }
            }
        }

        var chosen = new List<int>();
        for (var k = 0; k < edges.Count; k++)
        {
            if (cap[edgeArc[k]] == 0) chosen.Add(k);
        }

        return chosen.ToArray();

        void ShortestPathToSink(int start)
        {
            foreach (var v in touched)
            {
                dist[v] = long.MaxValue;
                done[v] = false;
            }

            if (touched.Count == 0) Array.Fill(dist, long.MaxValue);
            touched.Clear();
            dist[start] = 0;
            touched.Add(start);
            queue.Clear();
            queue.Enqueue(start, (0, start));
            while (queue.TryDequeue(out var u, out var pri))
            {
                if (done[u] || pri.Item1 != dist[u]) continue;
                done[u] = true;
                if (u == sink) return;
                for (var a = first[u]; a < first[u + 1]; a++)
                {
                    if (cap[a] <= 0) continue;
                    var v = to[a];
                    if (done[v]) continue;
                    var nd = dist[u] + cost[a] + potential[u] - potential[v];
                    if (nd < dist[v])
                    {
                        if (dist[v] == long.MaxValue) touched.Add(v);
                        dist[v] = nd;
                        parentArc[v] = a;
                        queue.Enqueue(v, (nd, v));
                    }
                }
            }

            // The buyer's own arc to the sink always has room for its lots, so the sink is always reached.
            throw new InvalidOperationException("b-matching: the sink was not reached (inconsistent residual graph)");
        }
    }
}
