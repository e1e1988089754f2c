using Gateway.Market.Grid;

namespace Gateway.Market.Tests.Grid;

/// <summary>
/// The exact execution against independent answers: every subset on small instances, OR-Tools' SCIP on larger ones (random
/// radial feeders, trades both ways on tight lines, base flows, lines overloaded by base load alone). Whatever it returns
/// keeps every line within its window, and no failed trade would still fit.
/// </summary>
public sealed class MaxWelfareExecutionTests
{
    private static MaxWelfareExecution.Outcome Solve(ExecutionOracles.Instance x, int budget = 1_000_000) =>
        MaxWelfareExecution.Select(x.Windows, x.BaseFlowsKw, x.Paths.Select(p => (IReadOnlyList<(int, int)>)p).ToArray(), x.PowerKw, x.Units, budget);

    [Fact]
    public void Matches_every_subset_on_small_instances()
    {
        var seed = TestSeeds.Fresh();
        foreach (var s in new[] { 1, 2, 3, seed })
        {
            var rnd = new Random(s);
            for (var round = 0; round < 60; round++)
            {
                var x = ExecutionOracles.Random(rnd, rnd.Next(1, 13), rnd.Next(2, 7));
                var outcome = Solve(x);
                Assert.True(x.Feasible(outcome.Executed), $"seed {s}, round {round}: a line leaves its window");
                Assert.True(outcome.Proven, $"seed {s}, round {round}");
                Assert.Equal(ExecutionOracles.BruteForce(x), outcome.ExecutedUnits);
                Assert.Equal(x.Value(outcome.Executed), outcome.ExecutedUnits);
                AssertMaximal(x, outcome.Executed, $"seed {s}, round {round}");
            }
        }
    }

    [Fact]
    public void Matches_or_tools_scip_on_larger_instances()
    {
        var seed = TestSeeds.Fresh();
        foreach (var s in new[] { 11, 12, seed })
        {
            var rnd = new Random(s);
            for (var round = 0; round < 12; round++)
            {
                var x = ExecutionOracles.Random(rnd, rnd.Next(20, 60), rnd.Next(4, 12));
                var outcome = Solve(x);
                Assert.True(outcome.Proven, $"seed {s}, round {round}: not proven within the budget");
                Assert.True(x.Feasible(outcome.Executed), $"seed {s}, round {round}");
                Assert.Equal(ExecutionOracles.Mip(x), outcome.ExecutedUnits);
            }
        }
    }

    [Fact]
    public void A_search_cut_short_keeps_a_maximal_selection_and_a_true_bound()
    {
        var rnd = new Random(21);
        for (var round = 0; round < 10; round++)
        {
            var x = ExecutionOracles.Random(rnd, 40, 6);
            var best = ExecutionOracles.Mip(x);
            var cut = Solve(x, budget: 3);
            Assert.True(x.Feasible(cut.Executed));
            AssertMaximal(x, cut.Executed, $"round {round}");
            Assert.InRange(best, cut.ExecutedUnits, cut.UpperBoundUnits);
            if (cut.Proven) Assert.Equal(best, cut.ExecutedUnits);
        }
    }

    private static double[] Flows(ExecutionOracles.Instance x, bool[] chosen)
    {
        var flows = (double[])x.BaseFlowsKw.Clone();
        for (var t = 0; t < x.Paths.Length; t++)
            if (chosen[t]) foreach (var (l, s) in x.Paths[t]) flows[l] += s * x.PowerKw[t];
        return flows;
    }

    private static void AssertMaximal(ExecutionOracles.Instance x, bool[] executed, string context)
    {
        for (var t = 0; t < executed.Length; t++)
        {
            if (executed[t]) continue;
            var with = (bool[])executed.Clone();
            with[t] = true;
            Assert.False(x.Feasible(with), $"{context}: failed trade {t} fits; path {string.Join(" ", x.Paths[t])} power {x.PowerKw[t]}; windows {string.Join(" ", x.Windows.Select(w => $"[{w.LowKw},{w.HighKw}]"))} base {string.Join(" ", x.BaseFlowsKw)}; executed {string.Join("", executed.Select(e => e ? 1 : 0))}; flows {string.Join(" ", Flows(x, executed))}; trades on line 1: {string.Join(" ", Enumerable.Range(0, x.Paths.Length).Where(k => x.Paths[k].Any(p => p.Line == 1)).Select(k => $"{k}:{x.Paths[k].First(p => p.Line == 1).Sign * x.PowerKw[k]}"))}");
        }
    }
}
