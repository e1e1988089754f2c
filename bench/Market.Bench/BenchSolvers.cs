using Gateway.Market.Solvers;

namespace Gateway.Bench;

/// <summary>The LP backend of the references: the one place that names an implementation of <see cref="ILinearSolver"/>.</summary>
internal static class BenchSolvers
{
    /// <summary>A fresh solver.</summary>
    public static ILinearSolver Linear() => new OrToolsLinearSolver();
}
