namespace Gateway.Market.DayAhead;

/// <summary>Settings shared by the seeded metaheuristics.</summary>
/// <param name="PopulationSize">Goshawks or particles.</param>
/// <param name="Iterations">Generations (the paper's Table 6 uses 500).</param>
/// <param name="Seed">Seed of <see cref="System.Random"/>; the same seed gives the same schedule bit for bit.</param>
public sealed record MetaheuristicOptions(int PopulationSize, int Iterations, int Seed)
{
    /// <summary>Throws when a setting cannot work.</summary>
    public void Validate()
    {
        if (PopulationSize < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(PopulationSize), PopulationSize, "population needs at least 2 members");
        }
        if (Iterations < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Iterations), Iterations, "needs at least 1 iteration");
        }
    }
}
