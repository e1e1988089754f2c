using Gateway.Market.Pricing;
using Gateway.Market.Solvers;

namespace Gateway.Market.Tests.Pricing;

/// <summary>
/// Test oracle: the nucleolus of a small assignment game straight from its definition, sharing nothing with the product's
/// algorithms. Players are buyers 0..m−1 then sellers m..m+n−1; v(S) is the best matching inside S, found by enumeration;
/// every proper coalition is an excess row (not only the essential ones), and the domain is the imputation set
/// (x ≥ 0, Σx = v(N)), not the core's affine hull. Stages are Maschler–Peleg–Shapley's; which coalitions to fix is decided
/// by asking an LP whether a tight coalition can be made slack (Kopelowitz), not by reading duals.
/// </summary>
internal sealed class BruteForceNucleolus
{
    private const double Tolerance = 1e-7;

    private readonly int players;
    private readonly double[] value;
    private readonly ILinearSolver solver;

    public BruteForceNucleolus(int buyerCount, int sellerCount, IReadOnlyList<AssignmentGameEdge> edges, ILinearSolver solver)
    {
        BuyerCount = buyerCount;
        players = buyerCount + sellerCount;
        if (players > 16) throw new ArgumentException("brute force over all coalitions: at most 16 players");
        this.solver = solver;
        var w = new double[buyerCount, sellerCount];
        foreach (var e in edges) w[e.Buyer, e.Seller] = Math.Max(w[e.Buyer, e.Seller], e.Weight);
        value = new double[1 << players];
        for (var s = 1; s < value.Length; s++) value[s] = BestMatching(s, w);
    }

    /// <summary>Number of buyer players (they come first in <see cref="Payoffs"/>).</summary>
    public int BuyerCount { get; }

    /// <summary>v(S) for a coalition given as a bit mask over players.</summary>
    public double Value(int coalition) => value[coalition];

    /// <summary>v(N).</summary>
    public double GrandValue => value[(1 << players) - 1];

    /// <summary>The nucleolus, buyers first.</summary>
    public double[] Payoffs()
    {
        var grand = (1 << players) - 1;
        var open = Enumerable.Range(1, grand - 1).ToList();
        var fixedAt = new List<(int Coalition, double Excess)>();
        while (true)
        {
            var (x, epsilon) = MinimiseMaxExcess(open, fixedAt, null);
            var newlyFixed = new List<int>();
            foreach (var s in open)
            {
                if (value[s] - Sum(x, s) < epsilon - Tolerance) continue;
                // Tight now; fixed only if no point of this stage's optimal set makes it slack.
                var (_, slackest) = MinimiseMaxExcess(open, fixedAt, (s, epsilon));
                if (slackest < Tolerance) newlyFixed.Add(s);
            }

            if (newlyFixed.Count == 0) throw new InvalidOperationException("oracle: no coalition could be fixed");
            foreach (var s in newlyFixed) fixedAt.Add((s, epsilon));
            open.RemoveAll(newlyFixed.Contains);
            if (Rank(fixedAt.Select(f => f.Coalition).Append(grand)) == players) return x;
        }
    }

    /// <summary>
    /// Minimises ε over the open rows with the fixed rows held; with <paramref name="probe"/> = (S, ε*) instead maximises
    /// the slack ε* − e(S, x) over that stage's optimal set (every open row ≤ ε*) and returns that slack.
    /// </summary>
    private (double[] X, double Objective) MinimiseMaxExcess(List<int> open, List<(int Coalition, double Excess)> fixedAt, (int Coalition, double Epsilon)? probe)
    {
        var lp = new LinearProgram { Sense = probe is null ? ObjectiveSense.Minimize : ObjectiveSense.Maximize };
        for (var i = 0; i < players; i++)
        {
            // Probe objective: maximise x(S), which is the slack ε* − v(S) + x(S) up to a constant.
            var inProbe = probe is { } p0 && (p0.Coalition >> i & 1) == 1;
            lp.AddVariable("x" + i, 0, double.PositiveInfinity, inProbe ? 1 : 0);
        }

        var epsilonColumn = probe is null ? lp.AddVariable("eps", double.NegativeInfinity, double.PositiveInfinity, 1) : -1;
        lp.AddConstraint("efficiency", Terms((1 << players) - 1), GrandValue, GrandValue);
        foreach (var s in open)
        {
            // v(S) − x(S) ≤ ε  ⇔  x(S) + ε ≥ v(S)
            var terms = Terms(s);
            if (probe is { } p)
            {
                lp.AddConstraint("open" + s, terms, value[s] - p.Epsilon, double.PositiveInfinity);
            }
            else
            {
                terms.Add((epsilonColumn, 1));
                lp.AddConstraint("open" + s, terms, value[s], double.PositiveInfinity);
            }
        }

        foreach (var (s, e) in fixedAt) lp.AddConstraint("fixed" + s, Terms(s), value[s] - e, value[s] - e);
        var solution = Solve(lp);
        return probe is { } q
            ? (solution.VariableValues, q.Epsilon - value[q.Coalition] + Sum(solution.VariableValues, q.Coalition))
            : (solution.VariableValues[..players], solution.VariableValues[epsilonColumn]);
    }

    private LinearSolution Solve(LinearProgram lp)
    {
        var s = solver.Solve(lp);
        if (s.Status != LinearSolutionStatus.Optimal) throw new InvalidOperationException("oracle LP ended " + s.Status);
        return s;
    }

    private List<(int, double)> Terms(int coalition)
    {
        var terms = new List<(int, double)>();
        for (var i = 0; i < players; i++)
            if ((coalition >> i & 1) == 1) terms.Add((i, 1.0));
        return terms;
    }

    private double Sum(double[] x, int coalition)
    {
        var total = 0.0;
        for (var i = 0; i < players; i++)
            if ((coalition >> i & 1) == 1) total += x[i];
        return total;
    }

    private int Rank(IEnumerable<int> coalitions)
    {
        var rows = coalitions.Select(s => Enumerable.Range(0, players).Select(i => (double)(s >> i & 1)).ToArray()).ToList();
        var rank = 0;
        for (var col = 0; col < players && rank < rows.Count; col++)
        {
            var pivot = rows.Skip(rank).Select((r, k) => (r, k: k + rank)).OrderByDescending(p => Math.Abs(p.r[col])).First();
            if (Math.Abs(pivot.r[col]) < 1e-9) continue;
            (rows[rank], rows[pivot.k]) = (rows[pivot.k], rows[rank]);
            for (var k = 0; k < rows.Count; k++)
            {
                if (k == rank || rows[k][col] == 0) continue;
                var f = rows[k][col] / rows[rank][col];
                for (var c = 0; c < players; c++) rows[k][c] -= f * rows[rank][c];
            }

            rank++;
        }

        return rank;
    }

    /// <summary>Best matching inside a coalition: the first buyer in it is matched to some seller in it, or to nobody.</summary>
    private double BestMatching(int coalition, double[,] w)
    {
        var buyer = -1;
        for (var i = 0; i < BuyerCount; i++)
            if ((coalition >> i & 1) == 1) { buyer = i; break; }
        if (buyer < 0) return 0;
        var rest = coalition & ~(1 << buyer);
        var best = value[rest];
        for (var j = 0; j < players - BuyerCount; j++)
        {
            var bit = 1 << (BuyerCount + j);
            if ((rest & bit) != 0 && w[buyer, j] > 0) best = Math.Max(best, w[buyer, j] + value[rest & ~bit]);
        }

        return best;
    }
}
