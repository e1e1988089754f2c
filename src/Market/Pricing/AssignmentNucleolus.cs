using Gateway.Market.Solvers;

namespace Gateway.Market.Pricing;

/// <summary>
/// Nucleolus of a Shapley–Shubik assignment game (Li et al. eqs. 9–11), by the Maschler–Peleg–Shapley sequence of LPs
/// over the essential coalitions only (singletons and buyer–seller pairs): the core is non-empty, and for games with a
/// non-empty core the nucleolus is determined by the essential coalitions (Huberman 1980).
/// <para>
/// Core allocations pay each matched pair exactly its surplus and unmatched players nothing, so the only unknowns are
/// uₜ, the buyer's share of matched pair t (the seller gets wₜ − uₜ). Every essential coalition's excess is then
/// κ − Σ αₜuₜ with at most two non-zero α ∈ {±1}. Stage k minimises ε over the rows not yet fixed; rows with a positive
/// dual are tight in every optimum and are fixed at that ε; stages repeat until the fixed rows determine every uₜ.
/// Rows enter each LP lazily (cutting planes): singletons first, then the most violated pair rows, so an LP holds only the
/// rows that matter.
/// </para>
/// </summary>
public static class AssignmentNucleolus
{
    private const double Tolerance = 1e-9;
    private const int RowsAddedPerRound = 256;

    /// <summary>
    /// Computes the nucleolus payoffs. <paramref name="matchedEdges"/> must be an optimal assignment of the game
    /// (indices into <paramref name="edges"/>); the result is then the unique nucleolus and lies in the core.
    /// </summary>
    public static NucleolusResult Compute(int buyerCount, int sellerCount, IReadOnlyList<AssignmentGameEdge> edges, IReadOnlyList<int> matchedEdges, ILinearSolver solver)
    {
        var k = matchedEdges.Count;
        var buyerTrade = Enumerable.Repeat(-1, buyerCount).ToArray();
        var sellerTrade = Enumerable.Repeat(-1, sellerCount).ToArray();
        var tradeWeight = new double[k];
        for (var t = 0; t < k; t++)
        {
            var e = edges[matchedEdges[t]];
            if (buyerTrade[e.Buyer] >= 0 || sellerTrade[e.Seller] >= 0)
            {
                throw new ArgumentException("matched edges must form a one-to-one assignment");
            }

            buyerTrade[e.Buyer] = t;
            sellerTrade[e.Seller] = t;
            tradeWeight[t] = e.Weight;
        }

        var buyerShare = k == 0 ? Array.Empty<double>() : SolveShares(BuildRows(edges, buyerTrade, sellerTrade, tradeWeight), k, solver, out _);
        var buyers = new double[buyerCount];
        var sellers = new double[sellerCount];
        for (var t = 0; t < k; t++)
        {
            var e = edges[matchedEdges[t]];
            buyers[e.Buyer] = buyerShare[t];
            sellers[e.Seller] = tradeWeight[t] - buyerShare[t];
        }

        return new NucleolusResult(buyers, sellers);
    }

    /// <summary>Excess rows keyed by (buyer's trade, seller's trade); −1 = that side is absent or unmatched.</summary>
    private static List<Row> BuildRows(IReadOnlyList<AssignmentGameEdge> edges, int[] buyerTrade, int[] sellerTrade, double[] tradeWeight)
    {
        var best = new Dictionary<(int, int), double>();
        void Offer(int tb, int ts, double kappa)
        {
            if (tb < 0 && ts < 0) return;
            if (!best.TryGetValue((tb, ts), out var old) || kappa > old) best[(tb, ts)] = kappa;
        }

        for (var t = 0; t < tradeWeight.Length; t++)
        {
            Offer(t, -1, 0);
            Offer(-1, t, -tradeWeight[t]);
        }

        foreach (var e in edges)
        {
            var tb = buyerTrade[e.Buyer];
            var ts = sellerTrade[e.Seller];
            if (tb >= 0 && tb == ts) continue;
            Offer(tb, ts, e.Weight - (ts >= 0 ? tradeWeight[ts] : 0));
        }

        return best.OrderBy(p => p.Key.Item1).ThenBy(p => p.Key.Item2)
            .Select(p => new Row(p.Key.Item1, p.Key.Item2, p.Value)).ToList();
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

    /// <summary>Excess row: e = κ − (u[BuyerTrade] − u[SellerTrade]) with absent sides dropped.</summary>
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
        private readonly List<(int Pivot, double[] Vector)> rows = new();

        public int Rank => rows.Count;

        public void Add(Row r)
        {
            var v = new double[dimension];
            if (r.BuyerTrade >= 0) v[r.BuyerTrade] += 1;
            if (r.SellerTrade >= 0) v[r.SellerTrade] -= 1;
            foreach (var (pivot, b) in rows)
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
            foreach (var (_, b) in rows)
            {
                var f = b[p];
                if (f == 0) continue;
                for (var i = 0; i < dimension; i++) b[i] -= f * v[i];
            }

            rows.Add((p, v));
        }
    }
}
