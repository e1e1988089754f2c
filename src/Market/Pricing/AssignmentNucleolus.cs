namespace Gateway.Market.Pricing;

/// <summary>
/// The nucleolus of an <see cref="AssignmentGame"/> (Li et al. eqs. 9–11), exactly and without an LP solver.
/// <para>
/// Every essential coalition's excess is κ − (u[a] − u[b]) over two nodes a, b (<see cref="ExcessRows"/>), so the stage
/// LP of Maschler–Peleg–Shapley, min ε subject to κ − u[a] + u[b] ≤ ε, is a system of difference constraints: it is
/// feasible exactly when no cycle of rows has a mean κ above ε. Each stage's ε is therefore the maximum cycle mean of the
/// row graph (<see cref="MaximumMeanCycle"/>), and the rows tight in every optimum are the arcs on zero-slack cycles —
/// the strongly connected parts of the zero-slack subgraph. Those parts are contracted into one node each (their relative
/// shares are now fixed), rows inside a part drop out as constants, and the next stage runs on the smaller graph, until
/// one node is left and every share is known. At most one stage per trade.
/// </para>
/// <para>
/// Rows enter a stage lazily: the singletons first, then whichever rows the current solution violates, so each cycle
/// search sees a small graph; a scan of the remaining rows proves the stage optimal.
/// </para>
/// </summary>
public static class AssignmentNucleolus
{
    private const double RelativeTolerance = 1e-9;

    /// <summary>Computes the nucleolus of <paramref name="game"/>.</summary>
    public static NucleolusResult Compute(AssignmentGame game)
    {
        var k = game.Trades.Count;
        var weights = game.Trades.Select(t => game.Edges[t].Weight).ToArray();
        if (k == 0) return new NucleolusResult([], [], 0);
        var rows = ExcessRows.Build(game);
        var tolerance = RelativeTolerance * Math.Max(1, weights.Max(Math.Abs));
        var state = new Contraction(rows, tolerance);
        var stages = 0;
        while (state.GroupCount > 1)
        {
            stages++;
            state.RunStage();
        }

        var shares = new double[k];
        for (var t = 0; t < k; t++) shares[t] = state.Offset[t + 1] - state.Offset[0];
        return new NucleolusResult(shares, weights, stages);
    }

    /// <summary>The row graph with fixed parts contracted: u[v] = U[group of v] + Offset[v].</summary>
    private sealed class Contraction
    {
        private readonly ExcessRows rows;
        private readonly double tolerance;
        private readonly int[] group;
        private readonly List<int> active = new();
        private readonly List<int> pool = new();
        private readonly int[] dense;
        private readonly bool[] dead;
        private readonly int[] policyOfGroup;
        private int[] groupOfDense = [];

        public Contraction(ExcessRows rows, double tolerance)
        {
            this.rows = rows;
            this.tolerance = tolerance;
            var n = rows.NodeCount;
            group = Enumerable.Range(0, n).ToArray();
            Offset = new double[n];
            dense = new int[n];
            dead = new bool[rows.Count];
            policyOfGroup = Enumerable.Repeat(-1, n).ToArray();
            GroupCount = n;
            for (var r = 0; r < rows.Count; r++)
            {
                // Singletons keep every node joined to the zero node both ways: the graph stays strongly connected.
                if (rows.From[r] == 0 || rows.To[r] == 0) active.Add(r);
                else pool.Add(r);
            }
        }

        public int GroupCount { get; private set; }

        public double[] Offset { get; }

        private double Weight(int r) => rows.Kappa[r] - Offset[rows.From[r]] + Offset[rows.To[r]];

        private bool Internal(int r) => group[rows.From[r]] == group[rows.To[r]];

        public void RunStage()
        {
            var groups = Renumber();
            while (true)
            {
                var graph = RowGraph.FromRows(active, groups, r => dense[group[rows.From[r]]], r => dense[group[rows.To[r]]], Weight);
                var cycle = new MaximumMeanCycle(groups, graph.First, graph.Target, graph.Weight, tolerance);
                // Warm start: each part keeps the row it followed last time while that row is still in the graph.
                for (var p = 0; p < groups; p++) cycle.Policy[p] = graph.ArcOfRow(policyOfGroup[groupOfDense[p]]);
                var lambda = cycle.Solve();
                var h = cycle.Potential;
                for (var p = 0; p < groups; p++) policyOfGroup[groupOfDense[p]] = graph.Row[cycle.Policy[p]];

                var violated = new List<(int Row, double Slack)>();
                var tight = new List<int>();
                for (var i = 0; i < graph.Row.Length; i++)
                    if (Slack(graph.Row[i], lambda, h) <= tolerance) tight.Add(graph.Row[i]);
                foreach (var r in pool)
                {
                    var slack = Slack(r, lambda, h);
                    if (slack < -tolerance) violated.Add((r, slack));
                    else if (slack <= tolerance) tight.Add(r);
                }

                if (violated.Count == 0)
                {
                    Contract(tight, groups, h);
                    return;
                }

                Admit(violated, groups);
            }
        }

        private double Slack(int r, double lambda, double[] h) =>
            lambda - Weight(r) + h[dense[group[rows.From[r]]]] - h[dense[group[rows.To[r]]]];

        // Violated rows join the stage's graph, the worst first, a few per node per round so the graph stays small.
        private void Admit(List<(int Row, double Slack)> violated, int groups)
        {
            var cap = Math.Max(256, 2 * groups);
            var chosen = violated.Count <= cap ? violated : violated.OrderBy(v => v.Slack).Take(cap).ToList();
            var admitted = chosen.Select(v => v.Row).ToHashSet();
            active.AddRange(admitted);
            pool.RemoveAll(admitted.Contains);
        }

        private void Contract(List<int> tight, int groups, double[] h)
        {
            var graph = RowGraph.FromRows(tight, groups, r => dense[group[rows.From[r]]], r => dense[group[rows.To[r]]], Weight);
            var (component, count) = StronglyConnectedComponents.Find(groups, graph.First, graph.Target);
            if (count == groups) throw new InvalidOperationException("nucleolus: no zero-slack cycle at a stage (numerical trouble)");

            // The representative of each component is its first group; members take their share relative to it.
            var representative = Enumerable.Repeat(-1, count).ToArray();
            var size = new int[count];
            for (var p = 0; p < groups; p++)
            {
                size[component[p]]++;
                if (representative[component[p]] < 0) representative[component[p]] = p;
            }

            var grown = new bool[group.Length];
            for (var v = 0; v < group.Length; v++)
            {
                var p = dense[group[v]];
                var rep = representative[component[p]];
                if (size[component[p]] > 1) grown[groupOfDense[rep]] = true;
                if (rep == p) continue;
                Offset[v] += h[p] - h[rep];
                group[v] = groupOfDense[rep];
            }

            GroupCount = count;
            DropInternalAndDominated(grown);
        }

        // Rows inside a part are constants now. Of rows between the same two parts only the largest κ' can bind, in this
        // stage and every later one (a contraction shifts all rows between two parts alike), so the rest go. Only rows
        // touching a part that just grew can have gained such twins.
        private void DropInternalAndDominated(bool[] grown)
        {
            var best = new Dictionary<long, (int Row, bool Active)>();
            foreach (var (list, isActive) in new[] { (active, true), (pool, false) })
            {
                foreach (var r in list)
                {
                    if (Internal(r)) { dead[r] = true; continue; }
                    var from = group[rows.From[r]];
                    var to = group[rows.To[r]];
                    if (!grown[from] && !grown[to]) continue;
                    var key = (long)from * group.Length + to;
                    if (!best.TryGetValue(key, out var other)) { best[key] = (r, isActive); continue; }
                    // The survivor is active if either was, so the stage graph keeps every link it had (strong connectivity).
                    var keep = Weight(r) > Weight(other.Row) ? r : other.Row;
                    dead[keep == r ? other.Row : r] = true;
                    best[key] = (keep, isActive || other.Active);
                }
            }

            active.RemoveAll(r => dead[r]);
            pool.RemoveAll(r => dead[r]);
            var promoted = best.Values.Where(b => b.Active && !dead[b.Row]).Select(b => b.Row).ToHashSet();
            promoted.ExceptWith(active);
            if (promoted.Count == 0) return;
            active.AddRange(promoted);
            pool.RemoveAll(promoted.Contains);
        }

        private int Renumber()
        {
            Array.Fill(dense, -1);
            var count = 0;
            groupOfDense = new int[GroupCount];
            for (var v = 0; v < group.Length; v++)
            {
                if (dense[group[v]] >= 0) continue;
                groupOfDense[count] = group[v];
                dense[group[v]] = count++;
            }

            return count;
        }
    }
}
