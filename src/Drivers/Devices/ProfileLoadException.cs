namespace Gateway.Drivers.Devices;

/// <summary>A profile could not be found or is invalid; carries every problem found, not just the first.</summary>
public sealed class ProfileLoadException : Exception
{
    /// <summary>Creates the exception from the problems found.</summary>
    public ProfileLoadException(IReadOnlyList<ProfileProblem> problems)
        : base(string.Join(Environment.NewLine, problems.Select(p => p.ToString())))
    {
        Problems = problems;
    }

    /// <summary>Every problem found.</summary>
    public IReadOnlyList<ProfileProblem> Problems { get; }
}
