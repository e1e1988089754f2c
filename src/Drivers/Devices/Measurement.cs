namespace Gateway.Drivers.Devices;

/// <summary>One value read from a device, in the unit its profile names.</summary>
/// <param name="Point">Profile point name.</param>
/// <param name="Role">What the value means to the gateway.</param>
/// <param name="Value">The scaled value; null when <see cref="Quality"/> is <see cref="MeasurementQuality.Absent"/> or the point is text.</param>
/// <param name="Unit">Engineering unit ("kW", "kWh", "%", "A", "s", "").</param>
/// <param name="Timestamp">When the value was read (from the injected clock).</param>
/// <param name="Quality">How far the value can be trusted.</param>
/// <param name="Text">The state name of an enumerated point, or the text of a string point.</param>
public sealed record Measurement(string Point, PointRole Role, double? Value, string Unit, DateTimeOffset Timestamp, MeasurementQuality Quality, string? Text = null)
{
    /// <summary>The value, when it is <see cref="MeasurementQuality.Good"/>.</summary>
    public bool TryGetGood(out double value)
    {
        value = Value ?? 0;
        return Quality == MeasurementQuality.Good && Value is not null;
    }
}
