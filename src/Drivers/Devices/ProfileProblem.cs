namespace Gateway.Drivers.Devices;

/// <summary>One thing wrong with a profile file: which file, which point (if any), and why.</summary>
/// <param name="File">Path of the profile file.</param>
/// <param name="Point">The point concerned, or null for a problem with the file as a whole.</param>
/// <param name="Message">What is wrong, in plain words.</param>
public sealed record ProfileProblem(string File, string? Point, string Message)
{
    /// <inheritdoc />
    public override string ToString() => Point is null ? $"{File}: {Message}" : $"{File}: point '{Point}': {Message}";
}
