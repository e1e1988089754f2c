namespace Gateway.Market.DayAhead;

/// <summary>
/// Standard global-best particle swarm optimisation, the paper's baseline in Table 6: constant
/// inertia 0.729 and acceleration 1.49445 (Clerc–Kennedy constriction values), velocities limited
/// to 0.2 per dimension, positions clamped to [0, 1] and decoded by <see cref="ScheduleDecoder"/>.
/// </summary>
public sealed class ParticleSwarmSolver : IDayAheadSolver
{
    private const double Inertia = 0.729;
    private const double Acceleration = 1.49445;
    private const double MaxVelocity = 0.2;
    private readonly MetaheuristicOptions _options;

    /// <summary>Creates the solver.</summary>
    public ParticleSwarmSolver(MetaheuristicOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
    }

    /// <inheritdoc />
    public string Name => "PSO";

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
        double[] globalBest = new double[dim];
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
                globalBest = (double[])x[i].Clone();
            }
        }

        var curve = new List<double>(_options.Iterations);
        for (int iteration = 1; iteration <= _options.Iterations; iteration++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            for (int i = 0; i < n; i++)
            {
                for (int d = 0; d < dim; d++)
                {
                    double velocity = Inertia * v[i][d]
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
            curve.Add(globalBestValue);
        }

        var schedule = ScheduleDecoder.Decode(market, globalBest);
        return new DayAheadSolverResult(Name, schedule, DayAheadEconomics.Evaluate(market, schedule), _options.Iterations, curve);
    }
}
