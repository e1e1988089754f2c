using Gateway.Market.Grid;
using Google.OrTools.LinearSolver;

namespace Gateway.Market.Tests.Grid;

/// <summary>
/// Independent answers to the execution problem — the most weight a subset of trades carries with every line within its
/// window: every subset tried (small instances), and the 0/1 program solved by OR-Tools' MIP solver (SCIP).
/// </summary>
internal static class ExecutionOracles
{
    /// <summary>An instance: line windows, base flows, each trade's signed path, power and weight in units.</summary>
    public sealed record Instance(LineWindow[] Windows, double[] BaseFlowsKw, (int Line, int Sign)[][] Paths, double[] PowerKw, long[] Units)
    {
        /// <summary>Whether executing <paramref name="chosen"/> keeps every line within its window.</summary>
        public bool Feasible(bool[] chosen)
        {
            var flows = (double[])BaseFlowsKw.Clone();
            for (var t = 0; t < Paths.Length; t++)
                if (chosen[t]) foreach (var (l, s) in Paths[t]) flows[l] += s * PowerKw[t];
            return flows.Select((f, l) => Windows[l].Excess(f) <= Windows[l].Tolerance).All(ok => ok);
        }

        /// <summary>Total units of <paramref name="chosen"/>.</summary>
        public long Value(bool[] chosen) => chosen.Select((c, t) => c ? Units[t] : 0).Sum();
    }

    /// <summary>The best value over all 2ⁿ subsets.</summary>
    public static long BruteForce(Instance x)
    {
        var n = x.Paths.Length;
        long best = 0;
        var chosen = new bool[n];
        for (long mask = 0; mask < 1L << n; mask++)
        {
            for (var t = 0; t < n; t++) chosen[t] = (mask >> t & 1) != 0;
            var v = x.Value(chosen);
            if (v > best && x.Feasible(chosen)) best = v;
        }

        return best;
    }

    /// <summary>The best value by OR-Tools' SCIP (exact to its default gap, 0 for this size).</summary>
    public static long Mip(Instance x)
    {
        using var solver = Solver.CreateSolver("SCIP") ?? throw new InvalidOperationException("OR-Tools has no SCIP backend");
        var n = x.Paths.Length;
        var vars = Enumerable.Range(0, n).Select(t => solver.MakeBoolVar("x" + t)).ToArray();
        for (var l = 0; l < x.Windows.Length; l++)
        {
            var row = solver.MakeConstraint(x.Windows[l].LowKw - x.BaseFlowsKw[l] - x.Windows[l].Tolerance, x.Windows[l].HighKw - x.BaseFlowsKw[l] + x.Windows[l].Tolerance);
            for (var t = 0; t < n; t++)
                foreach (var (line, sign) in x.Paths[t])
                    if (line == l) row.SetCoefficient(vars[t], sign * x.PowerKw[t]);
        }

        var objective = solver.Objective();
        for (var t = 0; t < n; t++) objective.SetCoefficient(vars[t], x.Units[t]);
        objective.SetMaximization();
        solver.SetSolverSpecificParametersAsString("limits/gap = 0\nlimits/absgap = 0.5\nnumerics/feastol = 1e-9\n");
        var status = solver.Solve();
        if (status != Solver.ResultStatus.OPTIMAL) throw new InvalidOperationException($"SCIP: {status}");
        var chosen = vars.Select(v => v.SolutionValue() > 0.5).ToArray();
        if (!x.Feasible(chosen)) throw new InvalidOperationException("SCIP's selection breaks a line window");
        return x.Value(chosen);
    }

    /// <summary>A random radial feeder with a few tight lines and trades between random nodes.</summary>
    public static Instance Random(Random rnd, int trades, int nodes)
    {
        var parent = new int[nodes];
        for (var v = 1; v < nodes; v++) parent[v] = rnd.Next(0, v);
        var depth = new int[nodes];
        for (var v = 1; v < nodes; v++) depth[v] = depth[parent[v]] + 1;
        var baseFlows = new double[nodes - 1];
        var windows = new LineWindow[nodes - 1];
        for (var l = 0; l < nodes - 1; l++)
        {
            baseFlows[l] = rnd.NextDouble() < 0.3 ? Math.Round(rnd.NextDouble() * 4 - 2, 2) : 0;
            var limit = rnd.NextDouble() < 0.5 ? Math.Round(2 + rnd.NextDouble() * 12, 2) : 500;
            windows[l] = LineWindow.For(limit, baseFlows[l]);
        }

        // Line l feeds node l + 1 from its parent (+ = away from the root).
        (int, int)[] PathOf(int from, int to)
        {
            var up = new List<(int, int)>();
            var down = new List<(int, int)>();
            while (depth[from] > depth[to]) { up.Add((from - 1, -1)); from = parent[from]; }
            while (depth[to] > depth[from]) { down.Add((to - 1, +1)); to = parent[to]; }
            while (from != to) { up.Add((from - 1, -1)); from = parent[from]; down.Add((to - 1, +1)); to = parent[to]; }
            down.Reverse();
            return [.. up, .. down];
        }

        var paths = new (int, int)[trades][];
        var power = new double[trades];
        var units = new long[trades];
        for (var t = 0; t < trades; t++)
        {
            paths[t] = PathOf(rnd.Next(0, nodes), rnd.Next(0, nodes));
            power[t] = Math.Round(0.5 + rnd.NextDouble() * 9, 3);
            // Weight roughly proportional to power, as in a real round, with spread.
            units[t] = (long)Math.Round(power[t] * (100 + rnd.Next(0, 60)) * 1000 + rnd.Next(0, 1000));
        }

        return new Instance(windows, baseFlows, paths, power, units);
    }
}
