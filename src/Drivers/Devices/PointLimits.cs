namespace Gateway.Drivers.Devices;

/// <summary>
/// The valid range of a point in its engineering unit. A reading outside it has quality
/// <see cref="MeasurementQuality.OutOfRange"/>; a write to it is clamped into it.
/// </summary>
/// <param name="Min">Lowest valid value, or null for no lower bound.</param>
/// <param name="Max">Highest valid value, or null for no upper bound.</param>
public readonly record struct PointLimits(double? Min, double? Max)
{
    /// <summary>No bounds.</summary>
    public static PointLimits None => default;

    /// <summary>Whether <paramref name="value"/> lies inside the range (bounds included).</summary>
    public bool Contains(double value) => (Min is not { } lo || value >= lo) && (Max is not { } hi || value <= hi);

    /// <summary><paramref name="value"/> moved into the range.</summary>
    public double Clamp(double value)
    {
        if (Min is { } lo && value < lo) value = lo;
        if (Max is { } hi && value > hi) value = hi;
        return value;
    }
}
