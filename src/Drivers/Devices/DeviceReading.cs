namespace Gateway.Drivers.Devices;

/// <summary>A snapshot of every point of one device, read in one pass.</summary>
/// <param name="Profile">Name of the profile the device was read through.</param>
/// <param name="Timestamp">When the pass finished.</param>
/// <param name="Measurements">One measurement per reported point, in profile order.</param>
public sealed record DeviceReading(string Profile, DateTimeOffset Timestamp, IReadOnlyList<Measurement> Measurements)
{
    /// <summary>The measurement of point <paramref name="point"/>, or null.</summary>
    public Measurement? Find(string point) => Measurements.FirstOrDefault(m => m.Point == point);

    /// <summary>The first measurement with <paramref name="role"/>, or null.</summary>
    public Measurement? Find(PointRole role) => Measurements.FirstOrDefault(m => m.Role == role);

    /// <summary>The value of the first point with <paramref name="role"/>, when it is good.</summary>
    public bool TryGetGood(PointRole role, out double value)
    {
        value = 0;
        return Find(role) is { } m && m.TryGetGood(out value);
    }

    /// <summary>
    /// This reading as seen at <paramref name="now"/>: good values older than <paramref name="maxAge"/>
    /// become <see cref="MeasurementQuality.Stale"/>. A poller keeps the last reading of a device that
    /// stopped answering and passes it through here.
    /// </summary>
    public DeviceReading AsOf(DateTimeOffset now, TimeSpan maxAge) =>
        this with
        {
            Measurements = Measurements
                .Select(m => m.Quality == MeasurementQuality.Good && now - m.Timestamp > maxAge ? m with { Quality = MeasurementQuality.Stale } : m)
                .ToArray(),
        };
}
