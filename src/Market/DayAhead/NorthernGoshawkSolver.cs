namespace Gateway.Market.DayAhead;

/// <summary>
/// The paper's improved Northern Goshawk Optimization (section 6): every iteration runs the
/// exploration stage (each goshawk picks a random prey and moves towards it if the prey is
/// better, away from it otherwise) and the exploitation stage (a pursuit step in a radius that
/// shrinks as R = 0.02 (1 − t/T)), keeping a move only when it improves. After the last iteration
/// the final population's optimal set — every goshawk within <see cref="EliteTolerance"/> of the
/// best objective — is ranked with the entropy weight method over the paper's criteria (the users'
/// revenue, the sellers' revenue to maximise, the buyers' cost to minimise, the buyers' price and
/// preference satisfaction) and the top-ranked scheme is returned; with prices as strategies this is
/// where the split between sellers and buyers is decided, since the users' revenue does not depend on it. Decision vectors are decoded by
/// <see cref="ScheduleDecoder"/>, so every scheme is feasible.
/// </summary>
public sealed class NorthernGoshawkSolver : IDayAheadSolver
{
    /// <summary>Relative distance to the best objective within which a final scheme joins the ranked optimal set.</summary>
    public const double EliteTolerance = 0.01;

    private readonly MetaheuristicOptions _options;

    /// <summary>Creates the solver.</summary>
    public NorthernGoshawkSolver(MetaheuristicOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
    }

    /// <inheritdoc />
    public string Name => "NGO";

    /// <inheritdoc />
    public DayAheadSolverResult Solve(DayAheadMarket market, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(market);
        var random = new Random(_options.Seed);
        int n = _options.PopulationSize;
        int dim = ScheduleDecoder.Dimension(market);
        var positions = new double[n][];
        var fitness = new double[n];
        for (int i = 0; i < n; i++)
        {
            positions[i] = new double[dim];
            for (int d = 0; d < dim; d++)
            {
                positions[i][d] = random.NextDouble();
            }
            fitness[i] = Fitness.Objective(market, positions[i]);
        }

        var curve = new List<double>(_options.Iterations);
        var candidate = new double[dim];
        for (int iteration = 1; iteration <= _options.Iterations; iteration++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            for (int i = 0; i < n; i++)
            {
                // Stage 1, prey identification (exploration).
                int prey = random.Next(n - 1);
                if (prey >= i)
                {
                    prey++;
                }
                int intensity = random.Next(1, 3);
                bool preyIsBetter = fitness[prey] > fitness[i];
                for (int d = 0; d < dim; d++)
                {
                    double r = random.NextDouble();
                    double step = preyIsBetter
                        ? positions[prey][d] - intensity * positions[i][d]
                        : positions[i][d] - positions[prey][d];
                    candidate[d] = Math.Clamp(positions[i][d] + r * step, 0.0, 1.0);
                }
                TryAccept(market, positions, fitness, i, candidate);

                // Stage 2, pursuit and escape (exploitation) in a shrinking radius.
                double radius = 0.02 * (1.0 - (double)iteration / _options.Iterations);
                for (int d = 0; d < dim; d++)
                {
                    double r = random.NextDouble();
                    candidate[d] = Math.Clamp(positions[i][d] + radius * (2 * r - 1) * positions[i][d], 0.0, 1.0);
                }
                TryAccept(market, positions, fitness, i, candidate);
            }

            curve.Add(fitness[ArgMax(fitness)]);
        }

        var chosen = RankOptimalSet(market, positions, fitness);
        var schedule = ScheduleDecoder.Decode(market, chosen);
        return new DayAheadSolverResult(Name, schedule, DayAheadEconomics.Evaluate(market, schedule), _options.Iterations, curve);
    }

    private static void TryAccept(DayAheadMarket market, double[][] positions, double[] fitness, int i, double[] candidate)
    {
        double value = Fitness.Objective(market, candidate);
        if (value > fitness[i])
        {
            Array.Copy(candidate, positions[i], candidate.Length);
            fitness[i] = value;
        }
    }

    private static double[] RankOptimalSet(DayAheadMarket market, double[][] positions, double[] fitness)
    {
        double best = fitness[ArgMax(fitness)];
        double threshold = best - EliteTolerance * Math.Abs(best);
        var set = Enumerable.Range(0, positions.Length).Where(i => fitness[i] >= threshold).ToList();
        var criteria = new double[set.Count][];
        for (int a = 0; a < set.Count; a++)
        {
            var outcome = DayAheadEconomics.Evaluate(market, ScheduleDecoder.Decode(market, positions[set[a]]));
            criteria[a] = [outcome.Objective, outcome.SellerRevenue, -outcome.BuyerCost, outcome.PriceSatisfaction, outcome.PreferenceSatisfaction];
        }
        return positions[set[EntropyWeightRanking.Best(criteria)]];
    }

    private static int ArgMax(double[] values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }
        return best;
    }
}
