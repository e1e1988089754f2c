namespace Gateway.Market.DayAhead;

/// <summary>One thing wrong with a scenario: where (a path like <c>classes[1].charging[4]</c>) and why.</summary>
/// <param name="Path">Path of the offending value inside the scenario.</param>
/// <param name="Message">What is wrong with it.</param>
internal sealed record ScenarioProblem(string Path, string Message);
