using Gateway.Market.DayAhead;

namespace Gateway.Host.Cli;

/// <summary>One solver's result on one scenario, with the wall time the verb measured and the checker's verdict.</summary>
internal sealed record ScheduleRun(DayAheadSolverResult Result, TimeSpan WallTime, IReadOnlyList<string> Violations);
