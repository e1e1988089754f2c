namespace Gateway.Drivers.Devices;

/// <summary>
/// One named quantity of a device, as the gateway sees it: name, meaning, unit, whether it may
/// be written, and its valid range. Where it lives on the wire is in the transport part of the
/// profile (<see cref="ModbusRegisterMap"/>).
/// </summary>
public sealed record ProfilePoint
{
    /// <summary>Point name, unique in the profile, with the unit in it (e.g. <c>PowerKw</c>).</summary>
    public required string Name { get; init; }

    /// <summary>What the gateway uses the point for.</summary>
    public required PointRole Role { get; init; }

    /// <summary>Engineering unit after scaling ("kW", "kWh", "%", "A", "s", or "" for states and text).</summary>
    public string Unit { get; init; } = "";

    /// <summary>Whether the gateway may write the point.</summary>
    public PointAccess Access { get; init; } = PointAccess.Read;

    /// <summary>Valid range: readings outside are out-of-range, writes are clamped into it.</summary>
    public PointLimits Limits { get; init; }

    /// <summary>Names of the integer states of an enumerated point (plug state, status).</summary>
    public IReadOnlyDictionary<long, string> States { get; init; } = new Dictionary<long, string>();

    /// <summary>For a setpoint in %: the point (in kW) the percentage refers to.</summary>
    public string? PercentOf { get; init; }

    /// <summary>A point that must be set to 1 for a write to this point to take effect.</summary>
    public string? EnablePoint { get; init; }

    /// <summary>Free text for people reading the profile or the probe's output.</summary>
    public string? Description { get; init; }

    /// <summary>Whether the gateway may write the point.</summary>
    public bool IsWritable => Access == PointAccess.ReadWrite;
}
