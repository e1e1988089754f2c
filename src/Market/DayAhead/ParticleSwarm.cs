namespace Gateway.Market.DayAhead;

/// <summary>
/// The state both particle swarm solvers share: positions and velocities in [0, 1]^dim, each particle's best point
/// and the swarm's global best, all scored by <see cref="Fitness.Objective"/>. The two solvers differ only in how the
/// inertia moves over the run and in what they do between iterations, so the draw order of <see cref="Random"/> is
/// fixed here: a seed gives the same schedule whichever solver is refactored.
/// </summary>
internal sealed class ParticleSwarm
{
    private readonly DayAheadMarket _market;
    private readonly double[][] _positions;
    private readonly double[][] _velocities;
    private readonly double[][] _personalBest;
    private readonly double[] _personalBestValue;
    private readonly double _maxVelocity;

    /// <summary>Places <paramref name="size"/> particles uniformly at random with velocities up to <paramref name="maxVelocity"/>.</summary>
    public ParticleSwarm(DayAheadMarket market, int size, double maxVelocity, Random random)
    {
        _market = market;
        _maxVelocity = maxVelocity;
        int dim = ScheduleDecoder.Dimension(market);
        _positions = new double[size][];
        _velocities = new double[size][];
        _personalBest = new double[size][];
        _personalBestValue = new double[size];
        GlobalBest = new double[dim];
        GlobalBestValue = double.NegativeInfinity;
        for (int i = 0; i < size; i++)
        {
            _positions[i] = new double[dim];
            _velocities[i] = new double[dim];
            for (int d = 0; d < dim; d++)
            {
                _positions[i][d] = random.NextDouble();
                _velocities[i][d] = (2 * random.NextDouble() - 1) * maxVelocity;
            }
            _personalBest[i] = (double[])_positions[i].Clone();
            _personalBestValue[i] = Fitness.Objective(market, _positions[i]);
            if (_personalBestValue[i] > GlobalBestValue)
            {
                GlobalBestValue = _personalBestValue[i];
                Array.Copy(_positions[i], GlobalBest, dim);
            }
        }
    }

    /// <summary>The best point any particle has visited (a solver may improve it in place).</summary>
    public double[] GlobalBest { get; }

    /// <summary>The objective at <see cref="GlobalBest"/>.</summary>
    public double GlobalBestValue { get; set; }

    /// <summary>
    /// One iteration: every particle is pulled towards its own best and the global best with the given inertia and
    /// acceleration, its velocity limited and its position clamped to [0, 1], and the bests updated.
    /// </summary>
    public void Move(double inertia, double acceleration, Random random)
    {
        int dim = GlobalBest.Length;
        for (int i = 0; i < _positions.Length; i++)
        {
            double[] x = _positions[i];
            double[] v = _velocities[i];
            for (int d = 0; d < dim; d++)
            {
                double velocity = inertia * v[d]
                    + acceleration * random.NextDouble() * (_personalBest[i][d] - x[d])
                    + acceleration * random.NextDouble() * (GlobalBest[d] - x[d]);
                v[d] = Math.Clamp(velocity, -_maxVelocity, _maxVelocity);
                x[d] = Math.Clamp(x[d] + v[d], 0.0, 1.0);
            }
            double value = Fitness.Objective(_market, x);
            if (value > _personalBestValue[i])
            {
                _personalBestValue[i] = value;
                Array.Copy(x, _personalBest[i], dim);
                if (value > GlobalBestValue)
                {
                    GlobalBestValue = value;
                    Array.Copy(x, GlobalBest, dim);
                }
            }
        }
    }
}
