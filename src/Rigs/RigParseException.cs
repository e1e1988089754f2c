namespace Gateway.Rigs;

/// <summary>A rig file is unreadable or invalid; the message lists every problem with its line.</summary>
public sealed class RigParseException : Exception
{
    /// <summary>Create the exception from the problems found.</summary>
    public RigParseException(IReadOnlyList<RigProblem> details)
        : base(string.Join(Environment.NewLine, details))
    {
        Details = details;
        Problems = details.Select(d => d.ToString()).ToList();
    }

    /// <summary>Create the exception from problems already written out (each naming its file and device).</summary>
    public RigParseException(IReadOnlyList<string> problems)
        : this(problems.Select(p => new RigProblem("", "", 0, p)).ToList())
    {
    }

    /// <summary>Every problem found, each naming file, line and field.</summary>
    public IReadOnlyList<string> Problems { get; }

    /// <summary>The same problems with their file, line and part apart, for a caller that reports them in its own form.</summary>
    public IReadOnlyList<RigProblem> Details { get; }
}
