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
internal static class BMatchingSolver
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

        private readonly int _buyerCount;
        private readonly int _nodeCount;
        private readonly int _sink;
        private readonly long _maxCost;

        // Residual graph in CSR layout; each arc's reverse sits at a known index. A buyer's range holds its arc to the sink
        // first, then its arcs to sellers, those still in play before activeEnd and those set aside after it.
        private readonly int[] _first;
        private readonly int[] _to;
        private readonly int[] _reverse;
        private readonly int[] _residual;
        private readonly long[] _cost;
        private readonly int[] _activeEnd;
        private readonly int[] _edgeOfArc;
        private readonly int[] _arcOfEdge;

        private readonly long[] _price;
        private readonly int[] _excess;
        private readonly Queue<int> _active = new();
        private readonly bool[] _queued;

        // Per seller: the buyer → seller arcs that carried flow when listed (checked when read), and its arc to the sink.
        private readonly int[][] _served;
        private readonly int[] _servedCount;
        private readonly bool[] _listed;
        private readonly int[] _sellerSinkArc;
        private int[] _sellerArcs = new int[8];

        // Per buyer: its best arcs by value p(w) − c(a) when last counted, and a bound on the value of every other arc.
        private readonly int[] _remembered;
        private readonly int[] _rememberedCount;
        private readonly long[] _othersAtMost;

        // The sink keeps the textbook current-arc discharge.
        private int _sinkCurrent;
        private bool _settingAside = true;
        private long _setAsideFactor;

        public CostScalingFlow(int buyerCount, int sellerCount, IReadOnlyList<int> buyerCapacity, IReadOnlyList<int> sellerCapacity, IReadOnlyList<MatchingEdge> edges)
        {
            this._buyerCount = buyerCount;
            _nodeCount = buyerCount + sellerCount + 1;
            _sink = buyerCount + sellerCount;
            var arcCount = 2 * (buyerCount + sellerCount + edges.Count);
            _first = new int[_nodeCount + 1];
            _to = new int[arcCount];
            _reverse = new int[arcCount];
            _residual = new int[arcCount];
            _cost = new long[arcCount];
            _activeEnd = new int[buyerCount];
            _edgeOfArc = new int[arcCount];
            _arcOfEdge = new int[edges.Count];
            _price = new long[_nodeCount];
            _excess = new int[_nodeCount];
            _queued = new bool[_nodeCount];
            _served = new int[sellerCount][];
            _servedCount = new int[sellerCount];
            _listed = new bool[arcCount];
            _sellerSinkArc = new int[sellerCount];
            _remembered = new int[buyerCount * RememberedArcs];
            _rememberedCount = new int[buyerCount];
            _othersAtMost = new long[buyerCount];

            long maxWeight = 0;
            var degree = new int[_nodeCount];
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
            var scale = _nodeCount + 1L;
            if (maxWeight > long.MaxValue / 64 / scale / scale) throw new ArgumentException($"edge weight {maxWeight} too large for an exact matching of {_nodeCount} nodes");
            _maxCost = maxWeight * scale;

            for (var v = 0; v < _sink; v++)
            {
                degree[v]++;
                degree[_sink]++;
            }

            for (var v = 0; v < _nodeCount; v++) _first[v + 1] = _first[v] + degree[v];
            var fill = (int[])_first.Clone();
            Array.Fill(_edgeOfArc, -1);

            int AddArc(int u, int v, int capacity, long c)
            {
                var a = fill[u]++;
                var b = fill[v]++;
                _to[a] = v; _residual[a] = capacity; _cost[a] = c;
                _to[b] = u; _residual[b] = 0; _cost[b] = -c;
                _reverse[a] = b; _reverse[b] = a;
                return a;
            }

            // Start feasible: every buyer lot unmatched, its flow on the 0-cost arc to the sink.
            for (var i = 0; i < buyerCount; i++)
            {
                var a = AddArc(i, _sink, Math.Max(0, buyerCapacity[i]), 0);
                _residual[_reverse[a]] = _residual[a];
                _residual[a] = 0;
            }

            for (var k = 0; k < edges.Count; k++)
            {
                var a = AddArc(edges[k].Buyer, buyerCount + edges[k].Seller, 1, -edges[k].Weight * scale);
                _arcOfEdge[k] = a;
                _edgeOfArc[a] = k;
            }

            for (var j = 0; j < sellerCount; j++)
            {
                _sellerSinkArc[j] = AddArc(buyerCount + j, _sink, Math.Max(0, sellerCapacity[j]), 0);
                _served[j] = new int[Math.Max(2, sellerCapacity[j] + 1)];
            }

            for (var i = 0; i < buyerCount; i++) _activeEnd[i] = _first[i + 1];

            // Each seller priced at its best offer and the sink below every seller: no buyer → seller or seller → sink arc
            // starts with a negative reduced cost (only the sink's arcs back to the buyers do, by at most maxCost), so the
            // first phase does not send every lot to every seller.
            foreach (var e in edges) _price[buyerCount + e.Seller] = Math.Min(_price[buyerCount + e.Seller], -e.Weight * scale);
            for (var j = 0; j < sellerCount; j++) _price[_sink] = Math.Min(_price[_sink], _price[buyerCount + j]);
            for (var i = 0; i < buyerCount; i++) Remember(i);
        }

        /// <summary>Runs every phase; true when an arc set aside failed the final check and the phases ran again.</summary>
        public bool Run(long setAsideFactor)
        {
            this._setAsideFactor = setAsideFactor;
            ScaleDown(_maxCost);
            var violation = SetAsideViolation();
            if (violation <= 1) return false;
            // An arc set aside would still improve the flow: bring every arc back and finish from there, without setting aside.
            _settingAside = false;
            for (var i = 0; i < _buyerCount; i++)
            {
                _activeEnd[i] = _first[i + 1];
                Remember(i);
            }

            ScaleDown(violation);
            return true;
        }

        public int[] MatchedEdges()
        {
            var chosen = new List<int>();
            for (var k = 0; k < _arcOfEdge.Length; k++)
            {
                if (_residual[_arcOfEdge[k]] == 0) chosen.Add(k);
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

        private bool IsSeller(int v) => v >= _buyerCount && v < _sink;

        private long Reduced(int v, int a) => _cost[a] + _price[v] - _price[_to[a]];

        private long Value(int a) => _price[_to[a]] - _cost[a];

        /// <summary>Turns an ε·α-optimal flow into an ε-optimal one.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Refine(long epsilon)
        {
            if (_settingAside) SetAside(_setAsideFactor * epsilon);

            // Push along every residual arc that is not ε-optimal; arcs within ε already are, and pushing them too would
            // only create excesses to be sent back.
            for (var v = 0; v < _nodeCount; v++)
            {
                if (IsSeller(v))
                {
                    var count = SellerResidualArcs(v);
                    for (var k = 0; k < count; k++) SaturateIfBelow(v, _sellerArcs[k], -epsilon);
                }
                else
                {
                    var end = v < _buyerCount ? _activeEnd[v] : _first[v + 1];
                    for (var a = _first[v]; a < end; a++) SaturateIfBelow(v, a, -epsilon);
                }
            }

            _sinkCurrent = _first[_sink];
            for (var v = 0; v < _nodeCount; v++)
            {
                if (_excess[v] > 0) Activate(v);
            }

            while (_active.Count > 0)
            {
                var v = _active.Dequeue();
                _queued[v] = false;
                if (v < _buyerCount) DischargeBuyer(v, epsilon);
                else if (v < _sink) DischargeSeller(v, epsilon);
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
            for (var i = 0; i < _buyerCount; i++)
            {
                for (var a = _first[i] + 1; a < _activeEnd[i];)
                {
                    if (_residual[a] > 0 && Reduced(i, a) > threshold)
                    {
                        SwapArcs(a, --_activeEnd[i]);
                        moved = true;
                    }
                    else
                    {
                        a++;
                    }
                }
            }

            if (!moved) return;
            Array.Clear(_servedCount);
            Array.Clear(_listed);
            for (var i = 0; i < _buyerCount; i++)
            {
                for (var a = _first[i] + 1; a < _activeEnd[i]; a++)
                {
                    if (_residual[a] == 0) List(a);
                }

                Remember(i);
            }
        }

        private void SwapArcs(int a, int b)
        {
            if (a == b) return;
            (_to[a], _to[b]) = (_to[b], _to[a]);
            (_cost[a], _cost[b]) = (_cost[b], _cost[a]);
            (_residual[a], _residual[b]) = (_residual[b], _residual[a]);
            (_reverse[a], _reverse[b]) = (_reverse[b], _reverse[a]);
            _reverse[_reverse[a]] = a;
            _reverse[_reverse[b]] = b;
            (_edgeOfArc[a], _edgeOfArc[b]) = (_edgeOfArc[b], _edgeOfArc[a]);
            _arcOfEdge[_edgeOfArc[a]] = a;
            _arcOfEdge[_edgeOfArc[b]] = b;
        }

        /// <summary>The largest amount by which an arc set aside breaks 1-optimality (0 when none does).</summary>
        private long SetAsideViolation()
        {
            long worst = 0;
            for (var i = 0; i < _buyerCount; i++)
            {
                for (var a = _activeEnd[i]; a < _first[i + 1]; a++)
                {
                    if (_residual[a] > 0) worst = Math.Max(worst, -Reduced(i, a));
                }
            }

            return worst;
        }

        private void SaturateIfBelow(int v, int a, long limit)
        {
            if (_residual[a] > 0 && Reduced(v, a) < limit) Push(v, a, _residual[a]);
        }

        private void Push(int v, int a, int delta)
        {
            var w = _to[a];
            _residual[a] -= delta;
            _residual[_reverse[a]] += delta;
            _excess[v] -= delta;
            _excess[w] += delta;
            // A lot handed back stays listed until the seller next reads its list (removing it at once costs a search).
            if (v < _buyerCount && w != _sink && !_listed[a]) List(a);
            if (_excess[w] > 0) Activate(w);
        }

        private void List(int a)
        {
            var j = _to[a] - _buyerCount;
            _listed[a] = true;
            if (_servedCount[j] == _served[j].Length) Array.Resize(ref _served[j], 2 * _served[j].Length);
            _served[j][_servedCount[j]++] = a;
        }

        private void Activate(int v)
        {
            if (_queued[v]) return;
            _queued[v] = true;
            _active.Enqueue(v);
        }

        /// <summary>A seller's residual arcs: back to each buyer it serves, and on to the sink while it has room.</summary>
        private int SellerResidualArcs(int v)
        {
            var j = v - _buyerCount;
            var list = _served[j];
            if (_sellerArcs.Length < _servedCount[j] + 1) _sellerArcs = new int[2 * (_servedCount[j] + 1)];
            var n = 0;
            for (var k = 0; k < _servedCount[j]; k++)
            {
                var a = list[k];
                if (_residual[a] == 0)
                {
                    list[n] = a;
                    _sellerArcs[n++] = _reverse[a];
                }
                else
                {
                    _listed[a] = false;
                }
            }

            _servedCount[j] = n;
            if (_residual[_sellerSinkArc[j]] > 0) _sellerArcs[n++] = _sellerSinkArc[j];
            return n;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void DischargeSeller(int v, long epsilon)
        {
            while (_excess[v] > 0)
            {
                var count = SellerResidualArcs(v);
                for (var k = 0; k < count && _excess[v] > 0; k++)
                {
                    var a = _sellerArcs[k];
                    if (_residual[a] > 0 && Reduced(v, a) < 0) Push(v, a, Math.Min(_excess[v], _residual[a]));
                }

                if (_excess[v] == 0) return;
                count = SellerResidualArcs(v);
                var best = long.MinValue;
                for (var k = 0; k < count; k++) best = Math.Max(best, Value(_sellerArcs[k]));
                SetPrice(v, best, epsilon);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void DischargeBuyer(int v, long epsilon)
        {
            var slots = v * RememberedArcs;
            while (_excess[v] > 0)
            {
                for (var k = 0; k < _rememberedCount[v] && _excess[v] > 0; k++)
                {
                    var a = _remembered[slots + k];
                    if (_residual[a] > 0 && Value(a) > _price[v]) Push(v, a, Math.Min(_excess[v], _residual[a]));
                }

                if (_excess[v] == 0) break;
                // No remembered arc is admissible. Others may be, but relabelling now is still sound: ε-optimality bounds
                // every value by p(v) + ε, so the new price never rises, and the arc it is set by is then admissible.
                var bestArc = RelabelBuyer(v, epsilon);
                Push(v, bestArc, Math.Min(_excess[v], _residual[bestArc]));
            }

            // Double push: the sellers this buyer displaced hand their surplus lot back now, while it is fresh.
            for (var k = 0; k < _rememberedCount[v]; k++)
            {
                var w = _to[_remembered[slots + k]];
                if (w != _sink && _excess[w] > 0) DischargeSeller(w, epsilon);
            }
        }

        private int RelabelBuyer(int v, long epsilon)
        {
            var (best, bestArc) = BestRemembered(v);
            var bound = _othersAtMost[v];
            if (bestArc >= 0 && best < bound && bound - best < epsilon && bound <= _price[v] + epsilon)
            {
                // A forgotten arc may beat the best remembered one, but by less than ε: pricing against the bound keeps
                // every arc ε-optimal, does not raise p(v), and leaves the best remembered arc admissible.
                _price[v] = bound - epsilon;
                return bestArc;
            }

            if (bestArc < 0 || best < bound)
            {
                Remember(v);
                (best, bestArc) = BestRemembered(v);
            }

            if (bestArc < 0 || best < _othersAtMost[v])
            {
                // Every remembered arc is full (a buyer with more lots than remembered arcs): look at all of them.
                best = long.MinValue;
                for (var a = _first[v]; a < _activeEnd[v]; a++)
                {
                    if (_residual[a] > 0 && Value(a) > best) (best, bestArc) = (Value(a), a);
                }
            }

            SetPrice(v, best, epsilon);
            return bestArc;
        }

        private (long Best, int Arc) BestRemembered(int v)
        {
            var best = long.MinValue;
            var bestArc = -1;
            for (var k = 0; k < _rememberedCount[v]; k++)
            {
                var a = _remembered[v * RememberedArcs + k];
                if (_residual[a] > 0 && Value(a) > best) (best, bestArc) = (Value(a), a);
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
            var start = _first[v];
            var heads = _to.AsSpan(start, _activeEnd[v] - start);
            var costs = _cost.AsSpan(start, heads.Length);
            for (var t = 0; t < heads.Length; t++)
            {
                var value = _price[heads[t]] - costs[t];
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
                    _remembered[slots + k] = _remembered[slots + k - 1];
                    k--;
                }

                values[k] = value;
                _remembered[slots + k] = start + t;
                if (n == RememberedArcs) threshold = values[n - 1];
            }

            _rememberedCount[v] = n;
            _othersAtMost[v] = bound;
        }

        /// <summary>Relabels <paramref name="v"/> to its best value less ε; a relabel never raises a price.</summary>
        private void SetPrice(int v, long best, long epsilon)
        {
            if (best == long.MinValue || best - epsilon > _price[v]) throw new InvalidOperationException($"b-matching: node {v} cannot be relabelled (inconsistent residual graph)");
            _price[v] = best - epsilon;
        }

        private void DischargeSink(long epsilon)
        {
            var end = _first[_sink + 1];
            while (_excess[_sink] > 0)
            {
                var a = _sinkCurrent;
                for (; a < end; a++)
                {
                    if (_residual[a] == 0 || Reduced(_sink, a) >= 0) continue;
                    Push(_sink, a, Math.Min(_excess[_sink], _residual[a]));
                    if (_excess[_sink] == 0) break;
                }

                if (a < end)
                {
                    _sinkCurrent = a;
                    return;
                }

                var best = long.MinValue;
                for (a = _first[_sink]; a < end; a++)
                {
                    if (_residual[a] > 0) best = Math.Max(best, Value(a));
                }

                SetPrice(_sink, best, epsilon);
                _sinkCurrent = _first[_sink];
            }
        }
    }
}
