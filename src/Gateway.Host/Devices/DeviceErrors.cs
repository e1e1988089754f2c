using Gateway.Drivers.Devices;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Gateway.Host.Devices;

/// <summary>
/// Turns device failures into retry decisions and the plain words operators read. Drivers throw only
/// <see cref="DeviceException"/>s (the transport's exception inside), so nothing here knows Modbus or MQTT; Polly's
/// own exceptions come from the host's pipeline around the drivers.
/// </summary>
public static class DeviceErrors
{
    /// <summary>Whether a poll or write that failed this way is worth retrying.</summary>
    public static bool IsTransient(Exception e) => e is DeviceException { IsTransient: true } or TimeoutRejectedException;

    /// <summary>A one-line description of <paramref name="e"/>.</summary>
    public static string Describe(Exception e) => e switch
    {
        DeviceException { Kind: DeviceErrorKind.Timeout } => "no answer in time: " + e.Message,
        DeviceException { Kind: DeviceErrorKind.Refused } => "the device refused: " + e.Message,
        DeviceException { Kind: DeviceErrorKind.Protocol } => "garbled answer: " + e.Message,
        DeviceException { Kind: DeviceErrorKind.Unreachable } => "unreachable: " + e.Message,
        DeviceException { Kind: DeviceErrorKind.ReadOnly } => "read-only: " + e.Message,
        DeviceException { Kind: DeviceErrorKind.BadValue } => "unusable value: " + e.Message,
        TimeoutRejectedException => "no answer in time (the poll was abandoned)",
        BrokenCircuitException => "isolated after repeated failures; retrying later",
        _ => e.Message,
    };
}
