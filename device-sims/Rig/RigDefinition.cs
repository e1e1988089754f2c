namespace Gateway.DeviceSims.Rig;

/// <summary>The device part of a rig file: the site, its simulated clock and its devices.</summary>
public sealed record RigDefinition
{
    /// <summary>Site id.</summary>
    public required string Site { get; init; }
    /// <summary>Simulated time at start.</summary>
    public required DateTimeOffset Start { get; init; }
    /// <summary>Simulated seconds per real second.</summary>
    public double TimeScale { get; init; } = 1;
    /// <summary>The devices, in file order.</summary>
    public required IReadOnlyList<RigDevice> Devices { get; init; }
    /// <summary>The file the rig came from (for resolving relative profile paths and for errors).</summary>
    public string SourcePath { get; init; } = "";
}
