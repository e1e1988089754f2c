using Gateway.Market.Pricing;
using Gateway.Market.Solvers;

namespace Gateway.Market.Tests.Pricing;

/// <summary>
/// The nucleolus of an <see cref="AssignmentGame"/> by the Maschler–Peleg–Shapley sequence of LPs (Li et al. eq. 11) on a
/// real LP solver (OR-Tools GLOP through <see cref="OrToolsLinearSolver"/>), over the essential coalitions (<see cref="ExcessRows"/>). Stage k minimises ε over the rows
/// not yet fixed; rows with a positive dual are tight in every optimum and are fixed at that ε; stages repeat until the
/// fixed rows determine every buyer share. Rows enter each LP lazily (cutting planes): singletons first, then the most
/// violated pair rows.
/// <para>
/// The market clears with the combinatorial <see cref="AssignmentNucleolus"/>; this is its independent reference, solving
/// the same stages as LPs — a test oracle, not part of the market: it lives with the tests, and bench/Market.Bench compiles
/// this file in for its side-by-side run.
/// </para>
/// </summary>
internal static class SequentialLpNucleolus
{
    private const double Tolerance = 1e-9;
    private const int RowsAddedPerRound = 256;

    /// <summary>Computes the nucleolus of <paramref name="game"/> with <paramref name="solver"/>.</summary>
    public static NucleolusResult Compute(AssignmentGame game, ILinearSolver solver)
    {
        var k = game.Trades.Count;
        var weights = game.Trades.Select(t => game.Edges[t].Weight).ToArray();
        if (k == 0) return new NucleolusResult([], [], 0);
        var rows = ExcessRows.Build(game);
        var all = Enumerable.Range(0, rows.Count).Select(r => new Row(rows.From[r] - 1, rows.To[r] - 1, rows.Kappa[r])).ToList();
        var shares = SolveShares(all, k, solver, out var stages);
        return new NucleolusResult(shares, weights, stages);
    }

    private static double[] SolveShares(List<Row> rows, int k, ILinearSolver solver, out int stages)
    {
        var fixedRows = new List<(Row Row, double Epsilon)>();
        var basis = new RowBasis(k);
        var active = new List<Row>(rows);
        var inLp = new HashSet<Row>(active.Where(r => r.BuyerTrade < 0 || r.SellerTrade < 0));
        stages = 0;
        double[] u = new double[k];
        while (true)
        {
            stages++;
            double epsilon;
            double[] duals;
            List<Row> lpRows;
            while (true)
            {
                lpRows = active.Where(inLp.Contains).ToList();
                (u, epsilon, duals) = SolveStage(lpRows, fixedRows, k, solver);
                var violated = active.Where(r => !inLp.Contains(r))
                    .Select(r => (Row: r, Violation: r.Kappa - r.Activity(u) - epsilon))
                    .Where(p => p.Violation > Tolerance)
                    .OrderByDescending(p => p.Violation)
                    .Take(RowsAddedPerRound)
                    .ToList();
                if (violated.Count == 0) break;
                foreach (var (r, _) in violated) inLp.Add(r);
            }

            var newlyFixed = new List<Row>();
            for (var i = 0; i < lpRows.Count; i++)
            {
                if (duals[i] > Tolerance) newlyFixed.Add(lpRows[i]);
            }

            if (newlyFixed.Count == 0)
            {
                throw new InvalidOperationException("nucleolus: no binding coalition at stage " + stages + " (numerical trouble)");
            }

            foreach (var r in newlyFixed)
            {
                fixedRows.Add((r, epsilon));
                basis.Add(r);
            }

            var fixedSet = newlyFixed.ToHashSet();
            active.RemoveAll(fixedSet.Contains);
            if (basis.Rank == k || active.Count == 0) return u;
        }
    }

    private static (double[] U, double Epsilon, double[] Duals) SolveStage(List<Row> lpRows, List<(Row Row, double Epsilon)> fixedRows, int k, ILinearSolver solver)
    {
        var lp = new LinearProgram { Sense = ObjectiveSense.Minimize };
        for (var t = 0; t < k; t++) lp.AddVariable("u" + t, double.NegativeInfinity, double.PositiveInfinity, 0);
        var eps = lp.AddVariable("eps", double.NegativeInfinity, double.PositiveInfinity, 1);
        foreach (var r in lpRows)
        {
            lp.AddConstraint("", r.Terms(eps), r.Kappa, double.PositiveInfinity);
        }

        foreach (var (r, e) in fixedRows)
        {
            var rhs = r.Kappa - e;
            lp.AddConstraint("", r.Terms(-1), rhs, rhs);
        }

        var s = solver.Solve(lp);
        if (s.Status != LinearSolutionStatus.Optimal || s.ConstraintDuals is null)
        {
            throw new InvalidOperationException($"nucleolus LP ended {s.Status}");
        }

        return (s.VariableValues[..k], s.VariableValues[eps], s.ConstraintDuals[..lpRows.Count]);
    }

    /// <summary>Excess row: e = κ − (u[BuyerTrade] − u[SellerTrade]); −1 is the zero node (a free lot or an absent side).</summary>
    private sealed record Row(int BuyerTrade, int SellerTrade, double Kappa)
    {
        public double Activity(double[] u) => (BuyerTrade >= 0 ? u[BuyerTrade] : 0) - (SellerTrade >= 0 ? u[SellerTrade] : 0);

        public List<(int, double)> Terms(int epsilonColumn)
        {
            var terms = new List<(int, double)>(3);
            if (BuyerTrade >= 0) terms.Add((BuyerTrade, 1.0));
            if (SellerTrade >= 0) terms.Add((SellerTrade, -1.0));
            if (epsilonColumn >= 0) terms.Add((epsilonColumn, 1.0));
            return terms;
        }
    }

    /// <summary>Echelon basis of the fixed rows' coefficient vectors, to know when they pin every share.</summary>
    private sealed class RowBasis(int dimension)
    {
        private readonly List<(int Pivot, double[] Vector)> _rows = new();

        public int Rank => _rows.Count;

        public void Add(Row r)
        {
            var v = new double[dimension];
            if (r.BuyerTrade >= 0) v[r.BuyerTrade] += 1;
            if (r.SellerTrade >= 0) v[r.SellerTrade] -= 1;
            foreach (var (pivot, b) in _rows)
            {
                var f = v[pivot];
                if (f == 0) continue;
                for (var i = 0; i < dimension; i++) v[i] -= f * b[i];
            }

            var p = -1;
            for (var i = 0; i < dimension; i++)
            {
                if (Math.Abs(v[i]) > 1e-9 && (p < 0 || Math.Abs(v[i]) > Math.Abs(v[p]))) p = i;
            }

            if (p < 0) return;
            var scale = v[p];
            for (var i = 0; i < dimension; i++) v[i] /= scale;
            foreach (var (_, b) in _rows)
            {
                var f = b[p];
                if (f == 0) continue;
                for (var i = 0; i < dimension; i++) b[i] -= f * v[i];
            }

            _rows.Add((p, v));
        }
    }
}
