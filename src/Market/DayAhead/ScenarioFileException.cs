namespace Gateway.Market.DayAhead;

/// <summary>A scenario file could not be used; <see cref="Problems"/> lists each issue as "file:line:col: path: why".</summary>
public sealed class ScenarioFileException : Exception
{
    /// <summary>Creates the exception from every problem found.</summary>
    public ScenarioFileException(IReadOnlyList<string> problems)
        : base("bad scenario file:" + Environment.NewLine + string.Join(Environment.NewLine, problems.Select(p => "  " + p)))
    {
        Problems = problems;
    }

    /// <summary>Every problem found, each naming file, position, path and reason.</summary>
    public IReadOnlyList<string> Problems { get; }
}
