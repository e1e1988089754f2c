namespace Gateway.Rigs;

/// <summary>
/// One thing wrong with a rig file, as the gateway and the simulators both report it: where (file, YAML path, line) and why.
/// </summary>
/// <param name="File">The rig file ("" when the problem is not tied to a file).</param>
/// <param name="Path">The part of the rig, e.g. <c>devices[3].unitId</c> or <c>device 'ev-1': sim</c>; "" for the whole file.</param>
/// <param name="Line">1-based line of the node in the file, 0 when unknown or when the problem spans the file (a duplicate id).</param>
/// <param name="Message">What is wrong, in plain words.</param>
public sealed record RigProblem(string File, string Path, int Line, string Message)
{
    /// <summary>The problem as a compiler would write it: <c>file:line: path: message</c>, leaving out what is unknown.</summary>
    public override string ToString()
    {
        var at = File.Length == 0 ? "" : Line > 0 ? $"{File}:{Line}: " : $"{File}: ";
        return Path.Length == 0 ? at + Message : $"{at}{Path}: {Message}";
    }
}
