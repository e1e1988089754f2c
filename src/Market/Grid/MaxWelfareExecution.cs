namespace Gateway.Market.Grid;

/// <summary>
/// Exact congestion-aware execution: of the matched trades, execute the set with the largest total weight Σ Q_t whose
/// flows keep every line of the radial feeder within its window. A 0/1 program with one two-sided row per line (a trade
/// adds ±P_t on each line of its tree path), solved exactly:
/// <list type="number">
/// <item>lines that stay within their window even if every trade pushed them are dropped; trades crossing none of the
/// remaining (binding) lines execute;</item>
/// <item>the rest splits into independent parts (binding lines linked by shared trades), each solved on its own;</item>
/// <item>each part by depth-first branch and bound: LP bounds by the bounded dual simplex, an incumbent from the greedy
/// fill by weight and from rounding every node's LP solution down, reduced-cost fixing, branching on the fractional trade
/// with the most weight at stake (executed first). Weights are whole units of the round's grid, so a node is pruned when
/// its bound cannot reach the incumbent + 1.</item>
/// </list>
/// When a part needs more nodes than the budget allows, the search stops with its best selection (maximal: no failed trade
/// fits) and a proven upper bound from the nodes left open, so the decision says how much it may have missed.
/// </summary>
internal static class MaxWelfareExecution
{
    private const double IntegralityTolerance = 1e-9;

    /// <summary>Which trades execute, whether that is proven optimal, and the proven bound on the best executed weight.</summary>
    public readonly record struct Outcome(bool[] Executed, bool Proven, long ExecutedUnits, long UpperBoundUnits, int Nodes);

    /// <summary>
    /// Selects the executed trades. <paramref name="paths"/>[t] lists the lines trade t crosses with the sign of the flow
    /// it adds (+1 = away from the root) and <paramref name="powerKw"/>[t] its power; <paramref name="units"/>[t] &gt; 0.
    /// </summary>
    public static Outcome Select(IReadOnlyList<LineWindow> windows, double[] baseFlowsKw, IReadOnlyList<(int Line, int Sign)>[] paths,
        double[] powerKw, long[] units, int nodeBudget)
    {
        var lines = windows.Count;
        var trades = paths.Length;
        var maxFlow = (double[])baseFlowsKw.Clone();
        var minFlow = (double[])baseFlowsKw.Clone();
        for (var t = 0; t < trades; t++)
            foreach (var (l, s) in paths[t])
            {
                if (s > 0) maxFlow[l] += powerKw[t];
                else minFlow[l] -= powerKw[t];
            }

        var binding = new bool[lines];
        for (var l = 0; l < lines; l++)
            binding[l] = maxFlow[l] > windows[l].HighKw + windows[l].Tolerance || minFlow[l] < windows[l].LowKw - windows[l].Tolerance;

        var executed = new bool[trades];
        var parent = Enumerable.Range(0, lines).ToArray();
        int Find(int v) { while (parent[v] != v) v = parent[v] = parent[parent[v]]; return v; }
        var crossing = new List<int>();
        for (var t = 0; t < trades; t++)
        {
            var first = -1;
            foreach (var (l, _) in paths[t])
            {
                if (!binding[l]) continue;
                if (first < 0) first = l;
                else parent[Find(l)] = Find(first);
            }

            if (first < 0) executed[t] = true;
            else crossing.Add(t);
        }

        long executedUnits = 0, bound = 0;
        for (var t = 0; t < trades; t++)
            if (executed[t]) { executedUnits += units[t]; bound += units[t]; }
        var proven = true;
        var nodes = 0;
        var parts = crossing.GroupBy(t => Find(paths[t].First(p => binding[p.Line]).Line)).OrderBy(g => g.Key);
        foreach (var part in parts)
        {
            var partTrades = part.ToArray();
            var partLines = partTrades.SelectMany(t => paths[t]).Select(p => p.Line).Where(l => binding[l]).Distinct().Order().ToArray();
            var row = new Dictionary<int, int>();
            for (var i = 0; i < partLines.Length; i++) row[partLines[i]] = i;
            var a = new double[partLines.Length, partTrades.Length];
            for (var j = 0; j < partTrades.Length; j++)
                foreach (var (l, s) in paths[partTrades[j]])
                    if (row.TryGetValue(l, out var i)) a[i, j] += s * powerKw[partTrades[j]];
            var lower = partLines.Select(l => windows[l].LowKw - baseFlowsKw[l]).ToArray();
            var upper = partLines.Select(l => windows[l].HighKw - baseFlowsKw[l]).ToArray();
            var tolerance = partLines.Select(l => windows[l].Tolerance).ToArray();
            var search = new Search(a, partTrades.Select(t => units[t]).ToArray(), lower, upper, tolerance, Math.Max(1, nodeBudget - nodes));
            search.Run();
            nodes += search.Nodes;
            proven &= !search.Truncated;
            executedUnits += search.IncumbentUnits;
            bound += search.UpperBoundUnits;
            for (var j = 0; j < partTrades.Length; j++) executed[partTrades[j]] = search.Incumbent[j];
        }

        return new Outcome(executed, proven, executedUnits, bound, nodes);
    }

    /// <summary>Branch and bound over one independent part.</summary>
    private sealed class Search
    {
        private readonly double[,] _a;
        private readonly long[] _units;
        private readonly double[] _weights;
        private readonly double[] _lower;
        private readonly double[] _upper;
        private readonly double[] _tolerance;
        private readonly int _budget;
        private readonly int _m;
        private readonly int _n;
        private readonly sbyte[] _fix;
        private readonly int[] _byWeight;
        private readonly BoundedDualSimplex _lp;
        private double _openBound = double.NegativeInfinity;

        public Search(double[,] a, long[] units, double[] lower, double[] upper, double[] tolerance, int budget)
        {
            this._a = a;
            this._units = units;
            this._lower = lower;
            this._upper = upper;
            this._tolerance = tolerance;
            this._budget = budget;
            _m = a.GetLength(0);
            _n = a.GetLength(1);
            _weights = units.Select(u => (double)u).ToArray();
            _fix = Enumerable.Repeat((sbyte)-1, _n).ToArray();
            _byWeight = Enumerable.Range(0, _n).OrderByDescending(j => units[j]).ThenBy(j => j).ToArray();
            _lp = new BoundedDualSimplex(a, _weights, 1e-9);
            Incumbent = new bool[_n];
        }

        public bool[] Incumbent { get; private set; }

        public long IncumbentUnits { get; private set; } = -1;

        public int Nodes { get; private set; }

        public bool Truncated { get; private set; }

        public long UpperBoundUnits => Truncated ? Math.Max(IncumbentUnits, (long)Math.Floor(_openBound + 1e-6)) : IncumbentUnits;

        private sealed class Frame
        {
            public int Stage;
            public int Variable = -1;
            public double Bound;
            public double ParentBound;
            public readonly List<int> Fixed = new();
        }

        public void Run()
        {
            TryImprove(Greedy(new bool[_n], _fix));
            var stack = new Stack<Frame>();
            stack.Push(new Frame { ParentBound = double.PositiveInfinity });
            while (stack.Count > 0)
            {
                var f = stack.Peek();
                if (f.Stage == 0)
                {
                    if (++Nodes > _budget)
                    {
                        Nodes--;
                        Truncated = true;
                        _openBound = Math.Max(_openBound, f.ParentBound);
                        Pop(stack);
                        continue;
                    }

                    if (!Evaluate(f)) { Pop(stack); continue; }
                    f.Stage = 1;
                    stack.Push(Child(f.Variable, 1, f.Bound));
                }
                else if (f.Stage == 1)
                {
                    if (Truncated) { _openBound = Math.Max(_openBound, f.Bound); Pop(stack); continue; }
                    f.Stage = 2;
                    if (f.Bound < IncumbentUnits + 0.5) { Pop(stack); continue; }
                    stack.Push(Child(f.Variable, 0, f.Bound));
                }
                else
                {
                    Pop(stack);
                }
            }

            // Repair: a selection found under a node's fixings may leave out a trade that fits; let every such trade in.
            TryImprove(Greedy(Incumbent, Enumerable.Repeat((sbyte)-1, _n).ToArray()));
        }

        private Frame Child(int variable, sbyte value, double parentBound)
        {
            var child = new Frame { ParentBound = parentBound };
            _fix[variable] = value;
            child.Fixed.Add(variable);
            return child;
        }

        private void Pop(Stack<Frame> stack)
        {
            var f = stack.Pop();
            foreach (var j in f.Fixed) _fix[j] = -1;
        }

        /// <summary>Bounds the node; false when it is pruned or a leaf, otherwise picks the variable to branch on.</summary>
        private bool Evaluate(Frame f)
        {
            var result = _lp.Solve(_fix, _lower, _upper);
            if (result.Status == BoundedDualSimplex.Status.Infeasible) return false;
            if (result.Status == BoundedDualSimplex.Status.Stalled)
            {
                // No LP bound here: keep the parent's (still valid) and branch on the heaviest free trade.
                f.Bound = f.ParentBound;
                f.Variable = _byWeight.FirstOrDefault(j => _fix[j] < 0, -1);
                if (f.Variable >= 0) return true;
                var leaf = _fix.Select(v => v == 1).ToArray();
                if (Feasible(leaf)) TryImprove(leaf);
                return false;
            }

            f.Bound = result.Objective;
            if (f.Bound < IncumbentUnits + 0.5) return false;

            // Round the LP solution down, then fill greedily: a feasible selection most of the time.
            var rounded = new bool[_n];
            for (var j = 0; j < _n; j++) rounded[j] = _fix[j] == 1 || (_fix[j] < 0 && result.X[j] >= 1 - IntegralityTolerance);
            if (Feasible(rounded)) TryImprove(Greedy(rounded, _fix));
            if (f.Bound < IncumbentUnits + 0.5) return false;

            var branch = -1;
            var stake = 0.0;
            for (var j = 0; j < _n; j++)
            {
                if (_fix[j] >= 0 || !result.Basic[j]) continue;
                var x = result.X[j];
                var s = _weights[j] * Math.Min(x, 1 - x);
                if (x > IntegralityTolerance && x < 1 - IntegralityTolerance && s > stake) { stake = s; branch = j; }
            }

            if (branch < 0) return false;

            // Reduced-cost fixing: a trade whose flip alone would take the bound below the incumbent + 1 keeps its LP value.
            for (var j = 0; j < _n; j++)
            {
                if (_fix[j] >= 0 || result.Basic[j] || j == branch) continue;
                var atOne = result.X[j] > 0.5;
                if (f.Bound - Math.Abs(result.ReducedCost[j]) < IncumbentUnits + 0.5)
                {
                    _fix[j] = (sbyte)(atOne ? 1 : 0);
                    f.Fixed.Add(j);
                }
            }

            f.Variable = branch;
            return true;
        }

        private bool Feasible(bool[] chosen)
        {
            for (var i = 0; i < _m; i++)
            {
                double activity = 0;
                for (var j = 0; j < _n; j++) if (chosen[j]) activity += _a[i, j];
                if (activity > _upper[i] + _tolerance[i] || activity < _lower[i] - _tolerance[i]) return false;
            }

            return true;
        }

        // Adds free trades heaviest first wherever they keep every row within its bounds, until none fits; the input must be feasible.
        private bool[] Greedy(bool[] start, sbyte[] fixing)
        {
            var chosen = (bool[])start.Clone();
            var activity = new double[_m];
            for (var j = 0; j < _n; j++)
                if (chosen[j]) for (var i = 0; i < _m; i++) activity[i] += _a[i, j];
            // Passes repeat: with flows both ways on a line, a trade that did not fit may fit once a counter-flow is in.
            for (var added = true; added;)
            {
                added = false;
                foreach (var j in _byWeight)
                {
                    if (chosen[j] || fixing[j] == 0) continue;
                    var fits = true;
                    for (var i = 0; i < _m && fits; i++)
                    {
                        var v = activity[i] + _a[i, j];
                        fits = v <= _upper[i] + _tolerance[i] && v >= _lower[i] - _tolerance[i];
                    }

                    if (!fits) continue;
                    chosen[j] = true;
                    added = true;
                    for (var i = 0; i < _m; i++) activity[i] += _a[i, j];
                }
            }

            return chosen;
        }

        private void TryImprove(bool[] chosen)
        {
            long value = 0;
            for (var j = 0; j < _n; j++) if (chosen[j]) value += _units[j];
            if (value <= IncumbentUnits) return;
            IncumbentUnits = value;
            Incumbent = chosen;
        }
    }
}
