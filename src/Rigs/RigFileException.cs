
namespace Gateway.Rigs;

/// <summary>A rig file that cannot be used, with every problem found in it (not only the first).</summary>
public sealed class RigFileException : Exception
{
    /// <summary>Create the exception from the problems found.</summary>
    public RigFileException(IReadOnlyList<RigProblem> problems)
        : base(FormatMessage(problems))
    {
        Problems = problems;
    }

    /// <summary>Every problem found, in file order.</summary>
    public IReadOnlyList<RigProblem> Problems { get; }

    private static string FormatMessage(IReadOnlyList<RigProblem> problems)
        => $"the rig file has {problems.Count} problem{(problems.Count == 1 ? "" : "s")}:{Environment.NewLine}"
           + string.Join(Environment.NewLine, problems.Select(p => "  " + p));
}
