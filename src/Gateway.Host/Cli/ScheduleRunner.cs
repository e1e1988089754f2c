using Gateway.Market.DayAhead;

namespace Gateway.Host.Cli;

/// <summary>
/// Runs solvers on a market, timing each with the injected clock (the solvers themselves hold no clock) and checking
/// every returned schedule with the independent <see cref="ScheduleChecker"/>.
/// </summary>
internal sealed class ScheduleRunner(TimeProvider timeProvider)
{
    public ScheduleRun Run(IDayAheadSolver solver, DayAheadMarket market, int? seed, CancellationToken cancellationToken = default)
    {
        long start = timeProvider.GetTimestamp();
        var result = solver.Solve(market, cancellationToken);
        var elapsed = timeProvider.GetElapsedTime(start);
        return new ScheduleRun(result, elapsed, ScheduleChecker.Check(market, result.Schedule), seed);
    }
}
