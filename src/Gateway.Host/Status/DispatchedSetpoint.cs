using Gateway.Host.Journal;

namespace Gateway.Host.Status;

/// <summary>A setpoint as published to operators.</summary>
/// <param name="RoundId">Round that decided it.</param>
/// <param name="DeviceId">Device it is addressed to.</param>
/// <param name="SetpointKw">Power ordered, kW.</param>
/// <param name="ValidUntilUtc">When it expires (the device falls back to 0 kW).</param>
/// <param name="Status">Outcome so far.</param>
/// <param name="ReadBackKw">What the device reported back.</param>
public sealed record DispatchedSetpoint(
    string RoundId,
    string DeviceId,
    double SetpointKw,
    DateTimeOffset ValidUntilUtc,
    SetpointStatus Status,
    double? ReadBackKw);
