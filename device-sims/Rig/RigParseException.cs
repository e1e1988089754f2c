namespace Gateway.DeviceSims.Rig;

/// <summary>A rig file is unreadable or invalid; the message lists every problem with its line.</summary>
public sealed class RigParseException(IReadOnlyList<string> problems)
    : Exception(string.Join(Environment.NewLine, problems))
{
    /// <summary>Every problem found, each naming file, line and field.</summary>
    public IReadOnlyList<string> Problems { get; } = problems;
}
