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
        var swarm = new ParticleSwarm(market, _options.PopulationSize, MaxVelocity, random);
        var curve = new List<double>(_options.Iterations);
        for (int iteration = 1; iteration <= _options.Iterations; iteration++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            swarm.Move(Inertia, Acceleration, random);
            curve.Add(swarm.GlobalBestValue);
        }

        var schedule = ScheduleDecoder.Decode(market, swarm.GlobalBest);
        return new DayAheadSolverResult(Name, schedule, DayAheadEconomics.Evaluate(market, schedule), _options.Iterations, curve);
    }
}
