using Gateway.Market.Solvers;

namespace Gateway.Market.DayAhead;

/// <summary>
/// The true optimum of the day-ahead model: every constraint is linear in the energies, the users' revenue does not
/// depend on the peer-to-peer price (each traded kWh moves Q_s from buyer to seller and leaves Q_G − fees with the
/// users), and eq. (17) needs no binary, so the model is a linear program, solved by an <see cref="ILinearSolver"/>
/// (OR-Tools GLOP in production). Its feasible set contains every schedule the <see cref="ScheduleDecoder"/> can
/// produce, so no metaheuristic can beat it. Its prices follow the rule of eqs. (8)–(9).
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
