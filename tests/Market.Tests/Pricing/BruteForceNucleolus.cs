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

    private readonly int _players;
    private readonly double[] _value;
    private readonly ILinearSolver _solver;

    public BruteForceNucleolus(int buyerCount, int sellerCount, IReadOnlyList<AssignmentGameEdge> edges, ILinearSolver solver)
    {
        BuyerCount = buyerCount;
        _players = buyerCount + sellerCount;
        if (_players > 16) throw new ArgumentException("brute force over all coalitions: at most 16 players");
        this._solver = solver;
        var w = new double[buyerCount, sellerCount];
        foreach (var e in edges) w[e.Buyer, e.Seller] = Math.Max(w[e.Buyer, e.Seller], e.Weight);
        _value = new double[1 << _players];
        for (var s = 1; s < _value.Length; s++) _value[s] = BestMatching(s, w);
    }

    /// <summary>Number of buyer players (they come first in <see cref="Payoffs"/>).</summary>
    public int BuyerCount { get; }

    /// <summary>v(S) for a coalition given as a bit mask over players.</summary>
    public double Value(int coalition) => _value[coalition];

    /// <summary>v(N).</summary>
    public double GrandValue => _value[(1 << _players) - 1];

    /// <summary>The nucleolus, buyers first.</summary>
    public double[] Payoffs()
    {
        var grand = (1 << _players) - 1;
        var open = Enumerable.Range(1, grand - 1).ToList();
        var fixedAt = new List<(int Coalition, double Excess)>();
        while (true)
        {
            var (x, epsilon) = MinimiseMaxExcess(open, fixedAt, null);
            var newlyFixed = new List<int>();
            foreach (var s in open)
            {
                if (_value[s] - Sum(x, s) < epsilon - Tolerance) continue;
                // Tight now; fixed only if no point of this stage's optimal set makes it slack.
                var (_, slackest) = MinimiseMaxExcess(open, fixedAt, (s, epsilon));
                if (slackest < Tolerance) newlyFixed.Add(s);
            }

            if (newlyFixed.Count == 0) throw new InvalidOperationException("oracle: no coalition could be fixed");
            foreach (var s in newlyFixed) fixedAt.Add((s, epsilon));
            open.RemoveAll(newlyFixed.Contains);
            if (Rank(fixedAt.Select(f => f.Coalition).Append(grand)) == _players) return x;
        }
    }

    /// <summary>
    /// Minimises ε over the open rows with the fixed rows held; with <paramref name="probe"/> = (S, ε*) instead maximises
    /// the slack ε* − e(S, x) over that stage's optimal set (every open row ≤ ε*) and returns that slack.
    /// </summary>
    private (double[] X, double Objective) MinimiseMaxExcess(List<int> open, List<(int Coalition, double Excess)> fixedAt, (int Coalition, double Epsilon)? probe)
    {
        var lp = new LinearProgram { Sense = probe is null ? ObjectiveSense.Minimize : ObjectiveSense.Maximize };
        for (var i = 0; i < _players; i++)
        {
            // Probe objective: maximise x(S), which is the slack ε* − v(S) + x(S) up to a constant.
            var inProbe = probe is { } p0 && (p0.Coalition >> i & 1) == 1;
            lp.AddVariable("x" + i, 0, double.PositiveInfinity, inProbe ? 1 : 0);
        }

        var epsilonColumn = probe is null ? lp.AddVariable("eps", double.NegativeInfinity, double.PositiveInfinity, 1) : -1;
        lp.AddConstraint("efficiency", Terms((1 << _players) - 1), GrandValue, GrandValue);
        foreach (var s in open)
        {
            // v(S) − x(S) ≤ ε  ⇔  x(S) + ε ≥ v(S)
            var terms = Terms(s);
            if (probe is { } p)
            {
                lp.AddConstraint("open" + s, terms, _value[s] - p.Epsilon, double.PositiveInfinity);
            }
            else
            {
                terms.Add((epsilonColumn, 1));
                lp.AddConstraint("open" + s, terms, _value[s], double.PositiveInfinity);
            }
        }

        foreach (var (s, e) in fixedAt) lp.AddConstraint("fixed" + s, Terms(s), _value[s] - e, _value[s] - e);
        var solution = Solve(lp);
        return probe is { } q
            ? (solution.VariableValues, q.Epsilon - _value[q.Coalition] + Sum(solution.VariableValues, q.Coalition))
            : (solution.VariableValues[.._players], solution.VariableValues[epsilonColumn]);
    }

    private LinearSolution Solve(LinearProgram lp)
    {
        var s = _solver.Solve(lp);
        if (s.Status != LinearSolutionStatus.Optimal) throw new InvalidOperationException("oracle LP ended " + s.Status);
        return s;
    }

    private List<(int, double)> Terms(int coalition)
    {
        var terms = new List<(int, double)>();
        for (var i = 0; i < _players; i++)
            if ((coalition >> i & 1) == 1) terms.Add((i, 1.0));
        return terms;
    }

    private double Sum(double[] x, int coalition)
    {
        var total = 0.0;
        for (var i = 0; i < _players; i++)
            if ((coalition >> i & 1) == 1) total += x[i];
        return total;
    }

    private int Rank(IEnumerable<int> coalitions)
    {
        var rows = coalitions.Select(s => Enumerable.Range(0, _players).Select(i => (double)(s >> i & 1)).ToArray()).ToList();
        var rank = 0;
        for (var col = 0; col < _players && rank < rows.Count; col++)
        {
            var pivot = rows.Skip(rank).Select((r, k) => (r, k: k + rank)).OrderByDescending(p => Math.Abs(p.r[col])).First();
            if (Math.Abs(pivot.r[col]) < 1e-9) continue;
            (rows[rank], rows[pivot.k]) = (rows[pivot.k], rows[rank]);
            for (var k = 0; k < rows.Count; k++)
            {
                if (k == rank || rows[k][col] == 0) continue;
                var f = rows[k][col] / rows[rank][col];
                for (var c = 0; c < _players; c++) rows[k][c] -= f * rows[rank][c];
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
        var best = _value[rest];
        for (var j = 0; j < _players - BuyerCount; j++)
        {
            var bit = 1 << (BuyerCount + j);
            if ((rest & bit) != 0 && w[buyer, j] > 0) best = Math.Max(best, w[buyer, j] + _value[rest & ~bit]);
        }

        return best;
    }
}
