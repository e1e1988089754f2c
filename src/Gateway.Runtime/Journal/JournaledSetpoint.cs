using Gateway.Drivers.Devices;

namespace Gateway.Runtime.Journal;

/// <summary>One setpoint as the journal holds it.</summary>
/// <param name="RoundId">Round it belongs to.</param>
/// <param name="DeviceId">Device it is addressed to.</param>
/// <param name="SetpointKw">Power ordered, kW (the device profile's sign convention).</param>
/// <param name="ValidUntilUtc">After this instant the device must fall back to 0 kW.</param>
/// <param name="Status">Outcome so far.</param>
/// <param name="ReadBackKw">Value read back from the device, when one was read.</param>
/// <param name="Detail">Why it was missed or skipped, in plain words.</param>
/// <param name="ErrorKind">The kind of device failure that made it missed, when the driver said so (see <see cref="SetpointOutcome.ErrorKind"/>).</param>
/// <remarks>Public: <see cref="Gateway.Runtime.Worker.RoundOutcome"/> carries them; the run report counts them.</remarks>
public sealed record JournaledSetpoint(
    string RoundId,
    string DeviceId,
    double SetpointKw,
    DateTimeOffset ValidUntilUtc,
    SetpointStatus Status,
    double? ReadBackKw,
    string? Detail,
    DeviceErrorKind? ErrorKind = null);
