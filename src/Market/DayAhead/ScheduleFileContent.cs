namespace Gateway.Market.DayAhead;

/// <summary>A schedule read back from a file, with the market it is checked against and what the file claims.</summary>
/// <param name="Market">The market (from the file's own scenario for JSON, from its scenario file for CSV).</param>
/// <param name="Schedule">The schedule as written.</param>
/// <param name="Solver">Solver named in the file.</param>
/// <param name="ScenarioFile">Scenario file named in the file, if any.</param>
/// <param name="StatedObjective">The objective the file states, if any; a re-check recomputes it.</param>
public sealed record ScheduleFileContent(DayAheadMarket Market, DayAheadSchedule Schedule, string Solver, string? ScenarioFile, double? StatedObjective);
