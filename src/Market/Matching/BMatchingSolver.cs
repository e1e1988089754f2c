using System.Runtime.CompilerServices;

namespace Gateway.Market.Matching;

/// <summary>
/// Exact maximum-weight bipartite b-matching (Li et al. eqs. 5–8): each buyer i in at most Lᵃ[i] pairs, each seller j in
/// at most L[j] pairs, each pair at most once. Solved as a min-cost flow in which every buyer lot must reach the sink,
/// either through a seller (buyer → seller, capacity 1, cost −Q; seller → sink, capacity L) or by staying unmatched
/// (buyer → sink, cost 0): its optimum is the maximum-weight b-matching, not the maximum-cardinality one.
/// <para>
/// Cost scaling (Goldberg–Tarjan push–relabel): the flow is kept ε-optimal (no residual arc with reduced cost below −ε)
/// while ε shrinks by <see cref="ScalingFactor"/> per phase. Costs are multiplied by n + 1 (n nodes), so the last phase,
/// at ε = 1, leaves a flow that is 1/(n + 1)-optimal in the integer weights, and such a flow is optimal. Successive
/// shortest paths needed a Dijkstra over most of a dense round's arcs per buyer lot; a phase here touches an arc a few
/// times. What keeps it fast on a real round, where many sellers are worth nearly the same to a buyer:
/// </para>
/// <list type="bullet">
/// <item>a buyer remembers its best few arcs and a bound on all the others, so most relabels look at a handful of arcs
/// (prices only fall, so no forgotten arc can rise above the bound);</item>
/// <item>a seller looks only at the buyers it serves, and settles its excess right after the buyer that caused it
/// (the double push of assignment auctions);</item>
/// <item>a phase starts by pushing only along arcs that break ε-optimality, not every negative one;</item>
/// <item>an unmatched arc whose reduced cost exceeds 2nε is set aside (Goldberg–Tarjan: its flow no longer changes),
/// so later phases scan only the arcs still in play; a final check over every arc set aside certifies the optimum, and
/// should any arc fail it, the phases rerun with all arcs.</item>
/// </list>
/// Every step runs in a fixed order, so the result depends only on the order of the input (callers sort by id).
/// </summary>
public static class BMatchingSolver
{
    /// <summary>ε is divided by this at each phase.</summary>
    public const int ScalingFactor = 8;

    /// <summary>Returns the indices (ascending) of the edges in a maximum-weight b-matching.</summary>
    public static int[] Solve(int buyerCount, int sellerCount, IReadOnlyList<int> buyerCapacity, IReadOnlyList<int> sellerCapacity, IReadOnlyList<MatchingEdge> edges) =>
        Solve(buyerCount, sellerCount, buyerCapacity, sellerCapacity, edges, setAsideFactor: null).Edges;

    /// <summary>
    /// As <see cref="Solve(int, int, IReadOnlyList{int}, IReadOnlyList{int}, IReadOnlyList{MatchingEdge})"/>, setting arcs
    /// aside above <paramref name="setAsideFactor"/>·ε (2n when null); tests use a reckless factor to drive the final check
    /// into its rerun. Also says whether the rerun happened.
    /// </summary>
    internal static (int[] Edges, bool Reran) Solve(int buyerCount, int sellerCount, IReadOnlyList<int> buyerCapacity, IReadOnlyList<int> sellerCapacity, IReadOnlyList<MatchingEdge> edges, long? setAsideFactor)
    {
        var flow = new CostScalingFlow(buyerCount, sellerCount, buyerCapacity, sellerCapacity, edges);
        var reran = flow.Run(setAsideFactor ?? 2L * (buyerCount + sellerCount + 1));
        return (flow.MatchedEdges(), reran);
    }

    private sealed class CostScalingFlow
    {
        /// <summary>How many of its best arcs a buyer remembers.</summary>
        private const int RememberedArcs = 8;

        private readonly int buyerCount;
        private readonly int nodeCount;
        private readonly int sink;
        private readonly long maxCost;

        // Residual graph in CSR layout; each arc's reverse sits at a known index. A buyer's range holds its arc to the sink
        // first, then its arcs to sellers, those still in play before activeEnd and those set aside after it.
        private readonly int[] first;
        private readonly int[] to;
        private readonly int[] reverse;
        private readonly int[] residual;
        private readonly long[] cost;
        private readonly int[] activeEnd;
        private readonly int[] edgeOfArc;
        private readonly int[] arcOfEdge;

        private readonly long[] price;
        private readonly int[] excess;
        private readonly Queue<int> active = new();
        private readonly bool[] queued;

        // Per seller: the buyer → seller arcs that carried flow when listed (checked when read), and its arc to the sink.
        private readonly int[][] served;
        private readonly int[] servedCount;
        private readonly bool[] listed;
        private readonly int[] sellerSinkArc;
        private int[] sellerArcs = new int[8];

        // Per buyer: its best arcs by value p(w) − c(a) when last counted, and a bound on the value of every other arc.
        private readonly int[] remembered;
        private readonly int[] rememberedCount;
        private readonly long[] othersAtMost;

        // The sink keeps the textbook current-arc discharge.
        private int sinkCurrent;
        private bool settingAside = true;
        private long setAsideFactor;

        public CostScalingFlow(int buyerCount, int sellerCount, IReadOnlyList<int> buyerCapacity, IReadOnlyList<int> sellerCapacity, IReadOnlyList<MatchingEdge> edges)
        {
            this.buyerCount = buyerCount;
            nodeCount = buyerCount + sellerCount + 1;
            sink = buyerCount + sellerCount;
            var arcCount = 2 * (buyerCount + sellerCount + edges.Count);
            first = new int[nodeCount + 1];
            to = new int[arcCount];
            reverse = new int[arcCount];
            residual = new int[arcCount];
            cost = new long[arcCount];
            activeEnd = new int[buyerCount];
            edgeOfArc = new int[arcCount];
            arcOfEdge = new int[edges.Count];
            price = new long[nodeCount];
            excess = new int[nodeCount];
            queued = new bool[nodeCount];
            served = new int[sellerCount][];
            servedCount = new int[sellerCount];
            listed = new bool[arcCount];
            sellerSinkArc = new int[sellerCount];
            remembered = new int[buyerCount * RememberedArcs];
            rememberedCount = new int[buyerCount];
            othersAtMost = new long[buyerCount];

            long maxWeight = 0;
            var degree = new int[nodeCount];
            for (var k = 0; k < edges.Count; k++)
            {
                var e = edges[k];
                if (e.Weight <= 0) throw new ArgumentException($"edge {k}: weight must be positive");
                if ((uint)e.Buyer >= (uint)buyerCount || (uint)e.Seller >= (uint)sellerCount) throw new ArgumentException($"edge {k}: buyer or seller out of range");
                maxWeight = Math.Max(maxWeight, e.Weight);
                degree[e.Buyer]++;
                degree[buyerCount + e.Seller]++;
            }

            // Prices fall by O(n·ε) per phase, O(n·maxCost) over all phases; keep that far from overflow.
            var scale = nodeCount + 1L;
            if (maxWeight > long.MaxValue / 64 / scale / scale) throw new ArgumentException($"edge weight {maxWeight} too large for an exact matching of {nodeCount} nodes");
            maxCost = maxWeight * scale;

            for (var v = 0; v < sink; v++)
            {
                degree[v]++;
                degree[sink]++;
            }

            for (var v = 0; v < nodeCount; v++) first[v + 1] = first[v] + degree[v];
            var fill = (int[])first.Clone();
            Array.Fill(edgeOfArc, -1);

            int AddArc(int u, int v, int capacity, long c)
            {
                var a = fill[u]++;
                var b = fill[v]++;
                to[a] = v; residual[a] = capacity; cost[a] = c;
                to[b] = u; residual[b] = 0; cost[b] = -c;
                reverse[a] = b; reverse[b] = a;
                return a;
            }

            // Start feasible: every buyer lot unmatched, its flow on the 0-cost arc to the sink.
            for (var i = 0; i < buyerCount; i++)
            {
                var a = AddArc(i, sink, Math.Max(0, buyerCapacity[i]), 0);
                residual[reverse[a]] = residual[a];
                residual[a] = 0;
            }

            for (var k = 0; k < edges.Count; k++)
            {
                var a = AddArc(edges[k].Buyer, buyerCount + edges[k].Seller, 1, -edges[k].Weight * scale);
                arcOfEdge[k] = a;
                edgeOfArc[a] = k;
            }

            for (var j = 0; j < sellerCount; j++)
            {
                sellerSinkArc[j] = AddArc(buyerCount + j, sink, Math.Max(0, sellerCapacity[j]), 0);
                served[j] = new int[Math.Max(2, sellerCapacity[j] + 1)];
            }

            for (var i = 0; i < buyerCount; i++) activeEnd[i] = first[i + 1];

            // Each seller priced at its best offer and the sink below every seller: no buyer → seller or seller → sink arc
            // starts with a negative reduced cost (only the sink's arcs back to the buyers do, by at most maxCost), so the
            // first phase does not send every lot to every seller.
            foreach (var e in edges) price[buyerCount + e.Seller] = Math.Min(price[buyerCount + e.Seller], -e.Weight * scale);
            for (var j = 0; j < sellerCount; j++) price[sink] = Math.Min(price[sink], price[buyerCount + j]);
            for (var i = 0; i < buyerCount; i++) Remember(i);
        }

        /// <summary>Runs every phase; true when an arc set aside failed the final check and the phases ran again.</summary>
        public bool Run(long setAsideFactor)
        {
            this.setAsideFactor = setAsideFactor;
            ScaleDown(maxCost);
            var violation = SetAsideViolation();
            if (violation <= 1) return false;
            // An arc set aside would still improve the flow: bring every arc back and finish from there, without setting aside.
            settingAside = false;
            for (var i = 0; i < buyerCount; i++)
            {
                activeEnd[i] = first[i + 1];
                Remember(i);
            }

            ScaleDown(violation);
            return true;
        }

        public int[] MatchedEdges()
        {
            var chosen = new List<int>();
            for (var k = 0; k < arcOfEdge.Length; k++)
            {
                if (residual[arcOfEdge[k]] == 0) chosen.Add(k);
            }

            return chosen.ToArray();
        }

        private void ScaleDown(long epsilon)
        {
            while (epsilon > 1)
            {
                epsilon = Math.Max(1, epsilon / ScalingFactor);
                Refine(epsilon);
            }
        }

        private bool IsSeller(int v) => v >= buyerCount && v < sink;

        private long Reduced(int v, int a) => cost[a] + price[v] - price[to[a]];

        private long Value(int a) => price[to[a]] - cost[a];

        /// <summary>Turns an ε·α-optimal flow into an ε-optimal one.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Refine(long epsilon)
        {
            if (settingAside) SetAside(setAsideFactor * epsilon);

            // Push along every residual arc that is not ε-optimal; arcs within ε already are, and pushing them too would
            // only create excesses to be sent back.
            for (var v = 0; v < nodeCount; v++)
            {
                if (IsSeller(v))
                {
                    var count = SellerResidualArcs(v);
                    for (var k = 0; k < count; k++) SaturateIfBelow(v, sellerArcs[k], -epsilon);
                }
                else
                {
                    var end = v < buyerCount ? activeEnd[v] : first[v + 1];
                    for (var a = first[v]; a < end; a++) SaturateIfBelow(v, a, -epsilon);
                }
            }

            sinkCurrent = first[sink];
            for (var v = 0; v < nodeCount; v++)
            {
                if (excess[v] > 0) Activate(v);
            }

            while (active.Count > 0)
            {
                var v = active.Dequeue();
                queued[v] = false;
                if (v < buyerCount) DischargeBuyer(v, epsilon);
                else if (v < sink) DischargeSeller(v, epsilon);
                else DischargeSink(epsilon);
            }
        }

        /// <summary>
        /// Moves every unmatched buyer → seller arc with reduced cost above <paramref name="threshold"/> behind its buyer's
        /// activeEnd, then rebuilds what refers to arcs by index (served lists, remembered arcs).
        /// </summary>
        private void SetAside(long threshold)
        {
            var moved = false;
            for (var i = 0; i < buyerCount; i++)
            {
                for (var a = first[i] + 1; a < activeEnd[i];)
                {
                    if (residual[a] > 0 && Reduced(i, a) > threshold)
                    {
                        SwapArcs(a, --activeEnd[i]);
                        moved = true;
                    }
                    else
                    {
                        a++;
                    }
                }
            }

            if (!moved) return;
            Array.Clear(servedCount);
            Array.Clear(listed);
            for (var i = 0; i < buyerCount; i++)
            {
                for (var a = first[i] + 1; a < activeEnd[i]; a++)
                {
                    if (residual[a] == 0) List(a);
                }

                Remember(i);
            }
        }

        private void SwapArcs(int a, int b)
        {
            if (a == b) return;
            (to[a], to[b]) = (to[b], to[a]);
            (cost[a], cost[b]) = (cost[b], cost[a]);
            (residual[a], residual[b]) = (residual[b], residual[a]);
            (reverse[a], reverse[b]) = (reverse[b], reverse[a]);
            reverse[reverse[a]] = a;
            reverse[reverse[b]] = b;
            (edgeOfArc[a], edgeOfArc[b]) = (edgeOfArc[b], edgeOfArc[a]);
            arcOfEdge[edgeOfArc[a]] = a;
            arcOfEdge[edgeOfArc[b]] = b;
        }

        /// <summary>The largest amount by which an arc set aside breaks 1-optimality (0 when none does).</summary>
        private long SetAsideViolation()
        {
            long worst = 0;
            for (var i = 0; i < buyerCount; i++)
            {
                for (var a = activeEnd[i]; a < first[i + 1]; a++)
                {
                    if (residual[a] > 0) worst = Math.Max(worst, -Reduced(i, a));
                }
            }

            return worst;
        }

        private void SaturateIfBelow(int v, int a, long limit)
        {
            if (residual[a] > 0 && Reduced(v, a) < limit) Push(v, a, residual[a]);
        }

        private void Push(int v, int a, int delta)
        {
            var w = to[a];
            residual[a] -= delta;
            residual[reverse[a]] += delta;
            excess[v] -= delta;
            excess[w] += delta;
            // A lot handed back stays listed until the seller next reads its list (removing it at once costs a search).
            if (v < buyerCount && w != sink && !listed[a]) List(a);
            if (excess[w] > 0) Activate(w);
        }

        private void List(int a)
        {
            var j = to[a] - buyerCount;
            listed[a] = true;
            if (servedCount[j] == served[j].Length) Array.Resize(ref served[j], 2 * served[j].Length);
            served[j][servedCount[j]++] = a;
        }

        private void Activate(int v)
        {
            if (queued[v]) return;
            queued[v] = true;
            active.Enqueue(v);
        }

        /// <summary>A seller's residual arcs: back to each buyer it serves, and on to the sink while it has room.</summary>
        private int SellerResidualArcs(int v)
        {
            var j = v - buyerCount;
            var list = served[j];
            if (sellerArcs.Length < servedCount[j] + 1) sellerArcs = new int[2 * (servedCount[j] + 1)];
            var n = 0;
            for (var k = 0; k < servedCount[j]; k++)
            {
                var a = list[k];
                if (residual[a] == 0)
                {
                    list[n] = a;
                    sellerArcs[n++] = reverse[a];
                }
                else
                {
                    listed[a] = false;
                }
            }

            servedCount[j] = n;
            if (residual[sellerSinkArc[j]] > 0) sellerArcs[n++] = sellerSinkArc[j];
            return n;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void DischargeSeller(int v, long epsilon)
        {
            while (excess[v] > 0)
            {
                var count = SellerResidualArcs(v);
                for (var k = 0; k < count && excess[v] > 0; k++)
                {
                    var a = sellerArcs[k];
                    if (residual[a] > 0 && Reduced(v, a) < 0) Push(v, a, Math.Min(excess[v], residual[a]));
                }

                if (excess[v] == 0) return;
                count = SellerResidualArcs(v);
                var best = long.MinValue;
                for (var k = 0; k < count; k++) best = Math.Max(best, Value(sellerArcs[k]));
                SetPrice(v, best, epsilon);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void DischargeBuyer(int v, long epsilon)
        {
            var slots = v * RememberedArcs;
            while (excess[v] > 0)
            {
                for (var k = 0; k < rememberedCount[v] && excess[v] > 0; k++)
                {
                    var a = remembered[slots + k];
                    if (residual[a] > 0 && Value(a) > price[v]) Push(v, a, Math.Min(excess[v], residual[a]));
                }

                if (excess[v] == 0) break;
                // No remembered arc is admissible. Others may be, but relabelling now is still sound: ε-optimality bounds
                // every value by p(v) + ε, so the new price never rises, and the arc it is set by is then admissible.
                var bestArc = RelabelBuyer(v, epsilon);
                Push(v, bestArc, Math.Min(excess[v], residual[bestArc]));
            }

            // Double push: the sellers this buyer displaced hand their surplus lot back now, while it is fresh.
            for (var k = 0; k < rememberedCount[v]; k++)
            {
                var w = to[remembered[slots + k]];
                if (w != sink && excess[w] > 0) DischargeSeller(w, epsilon);
            }
        }

        private int RelabelBuyer(int v, long epsilon)
        {
            var (best, bestArc) = BestRemembered(v);
            var bound = othersAtMost[v];
            if (bestArc >= 0 && best < bound && bound - best < epsilon && bound <= price[v] + epsilon)
            {
                // A forgotten arc may beat the best remembered one, but by less than ε: pricing against the bound keeps
                // every arc ε-optimal, does not raise p(v), and leaves the best remembered arc admissible.
                price[v] = bound - epsilon;
                return bestArc;
            }

            if (bestArc < 0 || best < bound)
            {
                Remember(v);
                (best, bestArc) = BestRemembered(v);
            }

            if (bestArc < 0 || best < othersAtMost[v])
            {
                // Every remembered arc is full (a buyer with more lots than remembered arcs): look at all of them.
                best = long.MinValue;
                for (var a = first[v]; a < activeEnd[v]; a++)
                {
                    if (residual[a] > 0 && Value(a) > best) (best, bestArc) = (Value(a), a);
                }
            }

            SetPrice(v, best, epsilon);
            return bestArc;
        }

        private (long Best, int Arc) BestRemembered(int v)
        {
            var best = long.MinValue;
            var bestArc = -1;
            for (var k = 0; k < rememberedCount[v]; k++)
            {
                var a = remembered[v * RememberedArcs + k];
                if (residual[a] > 0 && Value(a) > best) (best, bestArc) = (Value(a), a);
            }

            return (best, bestArc);
        }

        /// <summary>
        /// Recounts buyer <paramref name="v"/>'s best arcs in play by value, with or without residual capacity (a seller
        /// can hand a lot back at any time). Prices only fall, so every arc not kept stays at or below the bound recorded.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Remember(int v)
        {
            var slots = v * RememberedArcs;
            var n = 0;
            var bound = long.MinValue;
            var threshold = long.MinValue;
            Span<long> values = stackalloc long[RememberedArcs];
            var start = first[v];
            var heads = to.AsSpan(start, activeEnd[v] - start);
            var costs = cost.AsSpan(start, heads.Length);
            for (var t = 0; t < heads.Length; t++)
            {
                var value = price[heads[t]] - costs[t];
                if (value <= threshold)
                {
                    // The common case once the list is full: one comparison, and the bound for the rest.
                    if (value > bound) bound = value;
                    continue;
                }

                int k;
                if (n < RememberedArcs)
                {
                    k = n++;
                }
                else
                {
                    if (values[n - 1] > bound) bound = values[n - 1];
                    k = n - 1;
                }

                while (k > 0 && values[k - 1] < value)
                {
                    values[k] = values[k - 1];
                    remembered[slots + k] = remembered[slots + k - 1];
                    k--;
                }

                values[k] = value;
                remembered[slots + k] = start + t;
                if (n == RememberedArcs) threshold = values[n - 1];
            }

            rememberedCount[v] = n;
            othersAtMost[v] = bound;
        }

        /// <summary>Relabels <paramref name="v"/> to its best value less ε; a relabel never raises a price.</summary>
        private void SetPrice(int v, long best, long epsilon)
        {
            if (best == long.MinValue || best - epsilon > price[v]) throw new InvalidOperationException($"b-matching: node {v} cannot be relabelled (inconsistent residual graph)");
            price[v] = best - epsilon;
        }

        private void DischargeSink(long epsilon)
        {
            var end = first[sink + 1];
            while (excess[sink] > 0)
            {
                var a = sinkCurrent;
                for (; a < end; a++)
                {
                    if (residual[a] == 0 || Reduced(sink, a) >= 0) continue;
                    Push(sink, a, Math.Min(excess[sink], residual[a]));
                    if (excess[sink] == 0) break;
                }

                if (a < end)
                {
                    sinkCurrent = a;
                    return;
                }

                var best = long.MinValue;
                for (a = first[sink]; a < end; a++)
                {
                    if (residual[a] > 0) best = Math.Max(best, Value(a));
                }

                SetPrice(sink, best, epsilon);
                sinkCurrent = first[sink];
            }
        }
    }
}
