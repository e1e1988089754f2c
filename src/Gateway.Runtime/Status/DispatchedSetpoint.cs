using Gateway.Runtime.Journal;

namespace Gateway.Runtime.Status;

/// <summary>A setpoint as published to operators.</summary>
/// <param name="RoundId">Round that decided it.</param>
/// <param name="DeviceId">Device it is addressed to.</param>
/// <param name="SetpointKw">Power ordered, kW; positive = delivered to the grid (an EV discharging, PV exporting), negative = taken from it (an EV charging).</param>
/// <param name="ValidUntilUtc">When it expires (the device falls back to 0 kW).</param>
/// <param name="Status">Outcome so far.</param>
/// <param name="ReadBackKw">What the device reported back.</param>
internal sealed record DispatchedSetpoint(
    string RoundId,
    string DeviceId,
    double SetpointKw,
    DateTimeOffset ValidUntilUtc,
    SetpointStatus Status,
    double? ReadBackKw)
{
    /// <summary>
    /// The sign spelled out, so nobody has to remember the convention: <c>to-grid</c> (positive: the device delivers),
    /// <c>from-grid</c> (negative: it draws), <c>none</c> (0 kW).
    /// </summary>
    public string Direction => SetpointKw > 0 ? "to-grid" : SetpointKw < 0 ? "from-grid" : "none";
}
