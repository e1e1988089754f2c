using Gateway.Market.DayAhead;

namespace Gateway.Host.Cli;

/// <summary>What one <c>schedule</c> invocation runs.</summary>
/// <param name="Solver">ngo, ipso, pso, exact or all.</param>
/// <param name="FirstSeed">Seed of the first metaheuristic run; the others follow it.</param>
/// <param name="Seeds">Runs per metaheuristic and scenario (and timed repetitions of the exact reference).</param>
/// <param name="Iterations">Metaheuristic iterations.</param>
/// <param name="Population">Goshawks / particles.</param>
/// <param name="OutDir">Output directory, or null for the default.</param>
/// <param name="Summary">True for --all-scenarios: a summary over the scenarios is written too.</param>
internal sealed record ScheduleOptions(string Solver, int FirstSeed, int Seeds, int Iterations, int Population, string? OutDir, bool Summary)
{
    public MetaheuristicOptions ForSeed(int seed) => new(Population, Iterations, seed);

    public IEnumerable<int> SeedList => Enumerable.Range(FirstSeed, Seeds);
}
