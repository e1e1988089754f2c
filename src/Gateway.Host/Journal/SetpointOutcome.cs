namespace Gateway.Host.Journal;

/// <summary>What became of a setpoint written to a device.</summary>
/// <param name="DeviceId">The device.</param>
/// <param name="Status">Confirmed, missed or skipped (never intended).</param>
/// <param name="ReadBackKw">What the device reported back, kW, when it answered.</param>
/// <param name="Detail">Why it was missed or skipped, or how it was clamped, in plain words.</param>
public sealed record SetpointOutcome(string DeviceId, SetpointStatus Status, double? ReadBackKw, string? Detail);
