namespace Gateway.Market.DayAhead;

/// <summary>Who made a schedule file and from what.</summary>
/// <param name="Solver">Solver name, e.g. "NGO".</param>
/// <param name="Seed">Seed of a metaheuristic run; null for the exact reference.</param>
/// <param name="Iterations">Iterations of the run.</param>
/// <param name="Population">Population of a metaheuristic run; null for the exact reference.</param>
/// <param name="ScenarioFile">The scenario file the schedule was planned for, as given on the command line.</param>
public sealed record ScheduleFileHeader(string Solver, int? Seed, int Iterations, int? Population, string? ScenarioFile);
