using Gateway.Market.Solvers;

namespace Gateway.Market.DayAhead;

/// <summary>
/// The true optimum of the day-ahead model: the model is linear in the energies once prices follow
/// eqs. (6), (8), (9), with one binary per buyer and period for the grid-or-company choice (17), so
/// it is a MILP solved exactly by an <see cref="ILinearSolver"/> (COIN-OR CBC in production). Its
/// objective is the same J the metaheuristics maximise, and its feasible set contains every
/// schedule the <see cref="ScheduleDecoder"/> can produce, so no metaheuristic can beat it.
/// </summary>
public sealed class ExactDayAheadSolver : IDayAheadSolver
{
    private readonly ILinearSolver _solver;

    /// <summary>Creates the solver over <paramref name="solver"/>.</summary>
    public ExactDayAheadSolver(ILinearSolver solver)
    {
        ArgumentNullException.ThrowIfNull(solver);
        _solver = solver;
    }

    /// <inheritdoc />
    public string Name => "Exact";

    /// <inheritdoc />
    public DayAheadSolverResult Solve(DayAheadMarket market, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(market);
        cancellationToken.ThrowIfCancellationRequested();
        var model = DayAheadProgram.Build(market);
        var solution = _solver.Solve(model.Program);
        if (solution.Status != LinearSolutionStatus.Optimal)
        {
            throw new InvalidOperationException($"the exact day-ahead model of scenario '{market.Scenario.Name}' ended {solution.Status}, not optimal");
        }
        var schedule = model.ToSchedule(solution.VariableValues);
        var outcome = DayAheadEconomics.Evaluate(market, schedule);
        return new DayAheadSolverResult(Name, schedule, outcome, 1, [outcome.Objective]);
    }
}
