namespace Gateway.Rigs;

/// <summary>One thing wrong with a simulated rig: where (file, line, which part) and why.</summary>
/// <param name="File">The rig file ("" when the problem is not tied to a file).</param>
/// <param name="Line">1-based line, 0 when the problem spans the file (a duplicate id, a dangling reference).</param>
/// <param name="Where">The part of the rig, e.g. <c>device 'ev-1': sim</c>; "" for the whole file.</param>
/// <param name="Message">What is wrong, in plain words.</param>
public sealed record RigParseProblem(string File, int Line, string Where, string Message)
{
    /// <inheritdoc />
    public override string ToString()
    {
        var at = File.Length == 0 ? "" : Line > 0 ? $"{File}: line {Line}: " : $"{File}: ";
        return Where.Length == 0 ? at + Message : $"{at}{Where}: {Message}";
    }
}
