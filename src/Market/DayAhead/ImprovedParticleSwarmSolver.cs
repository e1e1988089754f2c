namespace Gateway.Market.DayAhead;

/// <summary>
/// The paper's improved PSO (section 7.2, the middle column of Table 6), built from its two stated changes to
/// <see cref="ParticleSwarmSolver"/>: an inertia weight model — the inertia falls linearly from
/// <see cref="InertiaStart"/> to <see cref="InertiaEnd"/> over the run, wide global search first, fine search last — and
/// a simulated annealing strategy integrated into the iterations: every <see cref="AnnealingPeriod"/> iterations the
/// global best is perturbed <see cref="AnnealingSteps"/> times in a radius that shrinks with the run, and a worse
/// point is accepted with probability exp(Δ / T) (Metropolis) so the walk can leave a local optimum; the temperature
/// starts at 1 % of |best| and cools geometrically. The best point the walk visits replaces the global best when it
/// is better. The paper gives no constants; these are the common textbook values (docs/day-ahead-model.md).
/// </summary>
public sealed class ImprovedParticleSwarmSolver : IDayAheadSolver
{
    /// <summary>Inertia at the first iteration.</summary>
    public const double InertiaStart = 0.9;

    /// <summary>Inertia at the last iteration.</summary>
    public const double InertiaEnd = 0.4;

    /// <summary>Iterations between two annealing walks.</summary>
    public const int AnnealingPeriod = 10;

    /// <summary>Steps of one annealing walk.</summary>
    public const int AnnealingSteps = 30;

    private const double Acceleration = 2.0;
    private const double MaxVelocity = 0.2;
    private const double Cooling = 0.9;
    private readonly MetaheuristicOptions _options;

    /// <summary>Creates the solver.</summary>
    public ImprovedParticleSwarmSolver(MetaheuristicOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
    }

    /// <inheritdoc />
    public string Name => "Improved PSO";

    /// <inheritdoc />
    public DayAheadSolverResult Solve(DayAheadMarket market, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(market);
        var random = new Random(_options.Seed);
        var swarm = new ParticleSwarm(market, _options.PopulationSize, MaxVelocity, random);
        int dim = swarm.GlobalBest.Length;
        var curve = new List<double>(_options.Iterations);
        var walker = new double[dim];
        var trial = new double[dim];
        for (int iteration = 1; iteration <= _options.Iterations; iteration++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            double progress = _options.Iterations == 1 ? 1.0 : (iteration - 1.0) / (_options.Iterations - 1.0);
            double inertia = InertiaStart - (InertiaStart - InertiaEnd) * progress;
            swarm.Move(inertia, Acceleration, random);
            if (iteration % AnnealingPeriod == 0)
            {
                swarm.GlobalBestValue = Anneal(market, random, swarm.GlobalBest, swarm.GlobalBestValue, walker, trial, 1.0 - progress);
            }
            curve.Add(swarm.GlobalBestValue);
        }

        var schedule = ScheduleDecoder.Decode(market, swarm.GlobalBest);
        return new DayAheadSolverResult(Name, schedule, DayAheadEconomics.Evaluate(market, schedule), _options.Iterations, curve);
    }

    // A Metropolis walk from the global best; returns the (possibly improved) best value and leaves the best point in `best`.
    private static double Anneal(DayAheadMarket market, Random random, double[] best, double bestValue, double[] walker, double[] trial, double remaining)
    {
        int dim = best.Length;
        Array.Copy(best, walker, dim);
        double walkerValue = bestValue;
        double temperature = 0.01 * Math.Max(1.0, Math.Abs(bestValue));
        double radius = 0.05 + 0.15 * remaining;
        for (int step = 0; step < AnnealingSteps; step++)
        {
            for (int d = 0; d < dim; d++)
            {
                trial[d] = random.NextDouble() < 0.1
                    ? Math.Clamp(walker[d] + radius * (2 * random.NextDouble() - 1), 0.0, 1.0)
                    : walker[d];
            }
            double value = Fitness.Objective(market, trial);
            double delta = value - walkerValue;
            if (delta >= 0 || random.NextDouble() < Math.Exp(delta / temperature))
            {
                Array.Copy(trial, walker, dim);
                walkerValue = value;
                if (value > bestValue)
                {
                    Array.Copy(trial, best, dim);
                    bestValue = value;
                }
            }
            temperature *= Cooling;
        }
        return bestValue;
    }
}
