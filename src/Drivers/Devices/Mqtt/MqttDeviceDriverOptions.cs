namespace Gateway.Drivers.Devices.Mqtt;

/// <summary>How long an <see cref="MqttDeviceDriver"/> waits for its device. Waits run on real time (<see cref="WaitTimeProvider"/>), not on the market clock.</summary>
public sealed class MqttDeviceDriverOptions
{
    /// <summary>
    /// How long the first read waits for telemetry on every one of the device's telemetry topics; when it runs out the read
    /// returns what has come (points of silent topics absent), and fails only if nothing has.
    /// </summary>
    public TimeSpan FirstTelemetryTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a command waits for the device's acknowledgement (and a publish for the broker's PUBACK).</summary>
    public TimeSpan AckTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Overrides the profile's silence timeout (null: the profile's).</summary>
    public TimeSpan? SilenceTimeout { get; init; }

    /// <summary>Clock for the waits above; the system clock unless a test fakes it.</summary>
    public TimeProvider WaitTimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Throws <see cref="ArgumentException"/> naming every invalid setting; returns this.</summary>
    public MqttDeviceDriverOptions Validate()
    {
        var errors = new List<string>();
        if (FirstTelemetryTimeout <= TimeSpan.Zero) errors.Add($"FirstTelemetryTimeout must be > 0, got {FirstTelemetryTimeout}");
        if (AckTimeout <= TimeSpan.Zero) errors.Add($"AckTimeout must be > 0, got {AckTimeout}");
        if (SilenceTimeout is { } s && s <= TimeSpan.Zero) errors.Add($"SilenceTimeout must be > 0, got {s}");
        if (WaitTimeProvider is null) errors.Add("WaitTimeProvider must be set");
        if (errors.Count > 0) throw new ArgumentException("invalid MQTT device driver options: " + string.Join("; ", errors));
        return this;
    }
}
