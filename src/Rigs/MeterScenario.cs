namespace Gateway.Rigs;

/// <summary>A site meter: the sum of some devices' power, less a base load.</summary>
public sealed record MeterScenario
{
    /// <summary>Ids of the devices the meter sums (empty: every non-meter device of the rig).</summary>
    public IReadOnlyList<string> Sums { get; init; } = [];
    /// <summary>Other consumption behind the meter, kW.</summary>
    public double BaseLoadKw { get; init; }
}
