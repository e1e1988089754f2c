using Gateway.Drivers.Devices;

namespace Gateway.Runtime.Journal;

/// <summary>What became of a setpoint written to a device.</summary>
/// <param name="DeviceId">The device.</param>
/// <param name="Status">Confirmed, missed or skipped (never intended).</param>
/// <param name="ReadBackKw">What the device reported back, kW, when it answered.</param>
/// <param name="Detail">Why it was missed or skipped, or how it was clamped, in plain words.</param>
/// <param name="ErrorKind">
/// What kind of device failure made it missed (the device refused, timed out, …), when the device's driver said so; the
/// dispatch re-check decides the device's fail-safe range from it.
/// </param>
internal sealed record SetpointOutcome(string DeviceId, SetpointStatus Status, double? ReadBackKw, string? Detail, DeviceErrorKind? ErrorKind = null);
