namespace Gateway.Market.DayAhead;

/// <summary>What a solver returns.</summary>
/// <param name="Solver">The solver's name.</param>
/// <param name="Schedule">The chosen schedule (feasible).</param>
/// <param name="Outcome">Its money and objective.</param>
/// <param name="Iterations">Iterations the solver ran (metaheuristic generations; simplex iterations are not exposed, so 1 for the exact solver).</param>
/// <param name="BestObjectiveByIteration">Best objective after each iteration (convergence curve); one entry for the exact solver.</param>
public sealed record DayAheadSolverResult(
    string Solver,
    DayAheadSchedule Schedule,
    DayAheadOutcome Outcome,
    int Iterations,
    IReadOnlyList<double> BestObjectiveByIteration);
