using Gateway.Market.DayAhead;
using Gateway.Market.Solvers;

namespace Gateway.Host.Cli;

/// <summary>Builds the solvers the <c>schedule</c> verb runs.</summary>
internal static class ScheduleSolvers
{
    /// <summary>Names accepted by <c>--solver</c>.</summary>
    public static readonly string[] Names = ["ngo", "pso", "exact", "all"];

    /// <summary>The solvers for <paramref name="choice"/>, in report order.</summary>
    public static IReadOnlyList<IDayAheadSolver> Create(string choice, MetaheuristicOptions options)
    {
        var all = choice == "all";
        var solvers = new List<IDayAheadSolver>();
        if (all || choice == "exact")
        {
            solvers.Add(new ExactDayAheadSolver(new CoinOrSolver()));
        }
        if (all || choice == "ngo")
        {
            solvers.Add(new NorthernGoshawkSolver(options));
        }
        if (all || choice == "pso")
        {
            solvers.Add(new ParticleSwarmSolver(options));
        }
        if (solvers.Count == 0)
        {
            throw new ArgumentException($"unknown solver '{choice}' (expected one of: {string.Join(", ", Names)})");
        }
        return solvers;
    }
}
