using Gateway.Market.DayAhead;
using Gateway.Market.Solvers;

namespace Gateway.Host.Cli;

/// <summary>Builds the solvers the <c>schedule</c> verb runs.</summary>
internal static class ScheduleSolvers
{
    /// <summary>Names accepted by <c>--solver</c>.</summary>
    public static readonly string[] Names = ["ngo", "ipso", "pso", "exact", "all"];

    /// <summary>The metaheuristics for <paramref name="choice"/>, in Table 6's order, each as a factory over its options (one instance per seed).</summary>
    public static IReadOnlyList<(string Name, Func<MetaheuristicOptions, IDayAheadSolver> Create)> Metaheuristics(string choice)
    {
        bool all = choice == "all";
        var list = new List<(string, Func<MetaheuristicOptions, IDayAheadSolver>)>();
        if (all || choice == "ngo")
        {
            list.Add(("NGO", o => new NorthernGoshawkSolver(o)));
        }
        if (all || choice == "ipso")
        {
            list.Add(("Improved PSO", o => new ImprovedParticleSwarmSolver(o)));
        }
        if (all || choice == "pso")
        {
            list.Add(("PSO", o => new ParticleSwarmSolver(o)));
        }
        return list;
    }

    /// <summary>The exact reference when <paramref name="choice"/> asks for it.</summary>
    public static IDayAheadSolver? Exact(string choice) =>
        choice is "all" or "exact" ? new ExactDayAheadSolver(new OrToolsLinearSolver()) : null;
}
