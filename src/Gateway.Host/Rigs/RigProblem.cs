namespace Gateway.Host.Rigs;

/// <summary>One thing wrong with a rig file: where (file, YAML path, line) and why.</summary>
/// <param name="File">The rig file.</param>
/// <param name="Path">YAML path of the offending node, e.g. <c>devices[3].unitId</c>.</param>
/// <param name="Line">1-based line of the node in the file, 0 when unknown.</param>
/// <param name="Message">What is wrong, in plain words.</param>
internal sealed record RigProblem(string File, string Path, int Line, string Message)
{
    /// <inheritdoc />
    public override string ToString() => Line > 0 ? $"{File}:{Line}: {Path}: {Message}" : $"{File}: {Path}: {Message}";
}
