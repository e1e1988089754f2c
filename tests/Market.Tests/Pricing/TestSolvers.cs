using Gateway.Market.Solvers;

namespace Gateway.Market.Tests.Pricing;

/// <summary>The LP/MILP backend the oracles run on: the one place that names an implementation of <see cref="ILinearSolver"/>.</summary>
internal static class TestSolvers
{
    /// <summary>A fresh solver.</summary>
    public static ILinearSolver Linear() => new OrToolsLinearSolver();
}
