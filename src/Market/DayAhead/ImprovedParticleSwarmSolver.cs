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
        int n = _options.PopulationSize;
        int dim = ScheduleDecoder.Dimension(market);
        var x = new double[n][];
        var v = new double[n][];
        var personalBest = new double[n][];
        var personalBestValue = new double[n];
        var globalBest = new double[dim];
        double globalBestValue = double.NegativeInfinity;
        for (int i = 0; i < n; i++)
        {
            x[i] = new double[dim];
            v[i] = new double[dim];
            for (int d = 0; d < dim; d++)
            {
                x[i][d] = random.NextDouble();
                v[i][d] = (2 * random.NextDouble() - 1) * MaxVelocity;
            }
            personalBest[i] = (double[])x[i].Clone();
            personalBestValue[i] = Fitness.Objective(market, x[i]);
            if (personalBestValue[i] > globalBestValue)
            {
                globalBestValue = personalBestValue[i];
                Array.Copy(x[i], globalBest, dim);
            }
        }

        var curve = new List<double>(_options.Iterations);
        var walker = new double[dim];
        var trial = new double[dim];
        for (int iteration = 1; iteration <= _options.Iterations; iteration++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            double progress = _options.Iterations == 1 ? 1.0 : (iteration - 1.0) / (_options.Iterations - 1.0);
            double inertia = InertiaStart - (InertiaStart - InertiaEnd) * progress;
            for (int i = 0; i < n; i++)
            {
                for (int d = 0; d < dim; d++)
                {
                    double velocity = inertia * v[i][d]
                        + Acceleration * random.NextDouble() * (personalBest[i][d] - x[i][d])
                        + Acceleration * random.NextDouble() * (globalBest[d] - x[i][d]);
                    v[i][d] = Math.Clamp(velocity, -MaxVelocity, MaxVelocity);
                    x[i][d] = Math.Clamp(x[i][d] + v[i][d], 0.0, 1.0);
                }
                double value = Fitness.Objective(market, x[i]);
                if (value > personalBestValue[i])
                {
                    personalBestValue[i] = value;
                    Array.Copy(x[i], personalBest[i], dim);
                    if (value > globalBestValue)
                    {
                        globalBestValue = value;
                        Array.Copy(x[i], globalBest, dim);
                    }
                }
            }

            if (iteration % AnnealingPeriod == 0)
            {
                globalBestValue = Anneal(market, random, globalBest, globalBestValue, walker, trial, 1.0 - progress);
            }
            curve.Add(globalBestValue);
        }

        var schedule = ScheduleDecoder.Decode(market, globalBest);
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
