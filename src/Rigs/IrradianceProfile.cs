namespace Gateway.Rigs;

/// <summary>
/// Plane-of-array irradiance over a day: either a table of (time of day, W/m²) points,
/// interpolated linearly, or a clear-sky half-sine between sunrise and sunset dimmed by
/// seeded clouds.
/// </summary>
public sealed record IrradianceProfile
{
    /// <summary>Table points, sorted by time of day; empty for the clear-sky curve.</summary>
    public IReadOnlyList<(TimeSpan TimeOfDay, double WPerM2)> Points { get; init; } = [];
    /// <summary>Clear-sky peak at solar noon, W/m².</summary>
    public double PeakWPerM2 { get; init; } = 1000;
    /// <summary>Sunrise, time of day.</summary>
    public TimeSpan Sunrise { get; init; } = TimeSpan.FromHours(6);
    /// <summary>Sunset, time of day.</summary>
    public TimeSpan Sunset { get; init; } = TimeSpan.FromHours(20);
    /// <summary>Largest fraction of the clear-sky irradiance a cloud removes (0 = clear sky).</summary>
    public double Cloudiness { get; init; }
    /// <summary>Seed of the cloud pattern: the same seed gives the same day.</summary>
    public int CloudsSeed { get; init; }
}
