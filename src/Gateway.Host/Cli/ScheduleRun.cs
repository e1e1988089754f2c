using Gateway.Market.DayAhead;

namespace Gateway.Host.Cli;

/// <summary>One solver's result on one scenario, with the wall time the verb measured, the checker's verdict and the seed (null for the exact reference).</summary>
internal sealed record ScheduleRun(DayAheadSolverResult Result, TimeSpan WallTime, IReadOnlyList<string> Violations, int? Seed = null);
