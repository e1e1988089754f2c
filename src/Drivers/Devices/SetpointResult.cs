namespace Gateway.Drivers.Devices;

/// <summary>What happened to one setpoint write.</summary>
/// <param name="RequestedKw">What the caller asked for (positive = delivered to the grid).</param>
/// <param name="TargetKw">What was written after clamping, in kW.</param>
/// <param name="ClampedBy">Which limit changed the request, or null when it was written as asked.</param>
/// <param name="WrittenValue">The value written to the setpoint point, in its own unit.</param>
/// <param name="Unit">Unit of <see cref="WrittenValue"/> and <see cref="ReadBackValue"/> ("kW" or "%").</param>
/// <param name="ReadBackValue">The setpoint read back from the device, in its own unit; null if absent.</param>
/// <param name="Confirmed">Whether the read-back equals the written value to the register's resolution.</param>
/// <param name="ValidFor">The validity time given to the device (0 when the device has no watchdog).</param>
/// <param name="Timestamp">When the read-back was taken.</param>
public sealed record SetpointResult(
    double RequestedKw,
    double TargetKw,
    string? ClampedBy,
    double WrittenValue,
    string Unit,
    double? ReadBackValue,
    bool Confirmed,
    TimeSpan ValidFor,
    DateTimeOffset Timestamp);
