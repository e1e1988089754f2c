using Gateway.Market.Solvers;

namespace Gateway.Market.Tests.Pricing;

/// <summary>
/// Kohlberg's characterisation (1971), a check that needs no nucleolus algorithm: an efficient x is the prenucleolus
/// iff for every level α the coalitions with excess ≥ α form a balanced collection (positive weights λ_S with
/// Σ λ_S·1_S = 1_N). For games with a non-empty core (assignment games) the prenucleolus is the nucleolus.
/// </summary>
internal static class KohlbergCriterion
{
    private const double LevelTolerance = 1e-6;

    /// <summary>The first level whose collection is not balanced, or null when x passes.</summary>
    public static double? FirstUnbalancedLevel(int players, Func<int, double> value, double[] x, ILinearSolver solver)
    {
        var grand = (1 << players) - 1;
        var excess = Enumerable.Range(1, grand - 1)
            .Select(s => (Coalition: s, Excess: value(s) - Enumerable.Range(0, players).Where(i => (s >> i & 1) == 1).Sum(i => x[i])))
            .OrderByDescending(p => p.Excess).ToList();
        var collection = new List<int>();
        var k = 0;
        while (k < excess.Count)
        {
            var level = excess[k].Excess;
            while (k < excess.Count && excess[k].Excess >= level - LevelTolerance) collection.Add(excess[k++].Coalition);
            if (!IsBalanced(players, collection, solver)) return level;
        }

        return null;
    }

    // max t s.t. Σ λ_S·1_S = 1_N, λ_S ≥ t: balanced iff every member can carry a positive weight at once (t > 0).
    private static bool IsBalanced(int players, List<int> collection, ILinearSolver solver)
    {
        var lp = new LinearProgram { Sense = ObjectiveSense.Maximize };
        var t = lp.AddVariable("t", double.NegativeInfinity, 1, 1);
        var lambda = collection.Select(s => lp.AddVariable("l" + s, 0, double.PositiveInfinity, 0)).ToArray();
        for (var i = 0; i < players; i++)
        {
            var terms = collection.Select((s, k) => (s, k)).Where(p => (p.s >> i & 1) == 1).Select(p => (lambda[p.k], 1.0)).ToList();
            if (terms.Count == 0) return false;
            lp.AddConstraint("player" + i, terms, 1, 1);
        }

        for (var k = 0; k < collection.Count; k++) lp.AddConstraint("pos" + k, [(lambda[k], 1.0), (t, -1.0)], 0, double.PositiveInfinity);
        var solution = solver.Solve(lp);
        return solution.Status == LinearSolutionStatus.Optimal && solution.ObjectiveValue > 1e-9;
    }
}
