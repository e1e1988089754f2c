namespace Gateway.Market.Matching;

/// <summary>
/// Exact maximum-weight bipartite b-matching (Li et al. eqs. 5–8): each buyer i in at most Lᵃ[i] pairs, each seller j in
/// at most L[j] pairs, each pair at most once. Solved as a min-cost flow (source → buyer, capacity Lᵃ; buyer → seller,
/// capacity 1, cost −Q; seller → sink, capacity L) by successive shortest paths with Dijkstra on reduced costs, stopping
/// when the cheapest augmenting path no longer has negative cost: flow cost is convex in the flow value, so that point is the
/// maximum-weight (not maximum-cardinality) optimum. Integer weights keep it exact; equal-cost paths are broken by node
/// index, so the result depends only on the order of the input (callers sort by id).
/// </summary>
public static class BMatchingSolver
{
    /// <summary>Returns the indices (ascending) of the edges in a maximum-weight b-matching.</summary>
    public static int[] Solve(int buyerCount, int sellerCount, IReadOnlyList<int> buyerCapacity, IReadOnlyList<int> sellerCapacity, IReadOnlyList<MatchingEdge> edges)
    {
        var nodeCount = buyerCount + sellerCount + 2;
        var source = buyerCount + sellerCount;
        var sink = source + 1;
        var arcCount = 2 * (buyerCount + sellerCount + edges.Count);
        var to = new int[arcCount];
        var cap = new int[arcCount];
        var cost = new long[arcCount];
        var first = new int[nodeCount + 1];

        // Arcs grouped per tail node in CSR layout; each arc's reverse sits at a known index.
        var degree = new int[nodeCount];
        degree[source] += buyerCount;
        for (var i = 0; i < buyerCount; i++) degree[i]++;
        foreach (var e in edges)
        {
            degree[e.Buyer]++;
            degree[buyerCount + e.Seller]++;
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

        for (var i = 0; i < buyerCount; i++) AddArc(source, i, Math.Max(0, buyerCapacity[i]), 0);
        for (var k = 0; k < edges.Count; k++)
        {
            var e = edges[k];
            if (e.Weight <= 0) throw new ArgumentException($"edge {k}: weight must be positive");
            edgeArc[k] = AddArc(e.Buyer, buyerCount + e.Seller, 1, -e.Weight);
        }

        for (var j = 0; j < sellerCount; j++) AddArc(buyerCount + j, sink, Math.Max(0, sellerCapacity[j]), 0);

        // Initial potentials: exact shortest distances in the DAG source → buyers → sellers → sink.
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
        var queue = new PriorityQueue<int, (long, int)>();
        while (true)
        {
            Array.Fill(dist, long.MaxValue);
            Array.Clear(done);
            dist[source] = 0;
            queue.Clear();
            queue.Enqueue(source, (0, source));
            while (queue.TryDequeue(out var u, out var pri))
            {
                if (done[u] || pri.Item1 != dist[u]) continue;
                done[u] = true;
                if (u == sink) break;
                for (var a = first[u]; a < first[u + 1]; a++)
                {
                    if (cap[a] <= 0) continue;
                    var v = to[a];
                    if (done[v]) continue;
                    var nd = dist[u] + cost[a] + potential[u] - potential[v];
                    if (nd < dist[v])
                    {
                        dist[v] = nd;
                        parentArc[v] = a;
                        queue.Enqueue(v, (nd, v));
                    }
                }
            }

            if (!done[sink]) break;
            var pathCost = dist[sink] + potential[sink] - potential[source];
            if (pathCost >= 0) break;
            var capped = dist[sink];
            for (var v = 0; v < nodeCount; v++) potential[v] += done[v] ? dist[v] : capped;
            for (var v = sink; v != source;)
            {
                var a = parentArc[v];
                cap[a]--;
                cap[reverse[a]]++;
                v = to[reverse[a]];
            }
        }

        var chosen = new List<int>();
        for (var k = 0; k < edges.Count; k++)
        {
            if (cap[edgeArc[k]] == 0) chosen.Add(k);
        }

        return chosen.ToArray();
    }
}
