namespace Gateway.Market.DayAhead;

/// <summary>
/// Plans a day. Implementations are pure and deterministic for a given seed; the caller measures
/// wall time, so no clock lives in here.
/// </summary>
public interface IDayAheadSolver
{
    /// <summary>Short name for reports, e.g. "NGO".</summary>
    string Name { get; }

    /// <summary>Finds a schedule; every schedule returned satisfies <see cref="ScheduleChecker"/>.</summary>
    DayAheadSolverResult Solve(DayAheadMarket market, CancellationToken cancellationToken = default);
}
