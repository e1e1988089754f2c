using Gateway.Drivers.Devices;

namespace Gateway.Runtime.Devices;

/// <summary>
/// Turns device failures into retry decisions and the plain words operators read. Drivers throw only
/// <see cref="DeviceException"/>s (the transport's exception inside), so nothing here knows Modbus, MQTT or OCPP; the
/// poller's resilience pipeline words its own rejections (<see cref="DevicePoller"/>).
/// </summary>
internal static class DeviceErrors
{
    /// <summary>Whether a poll or write that failed this way is worth retrying.</summary>
    public static bool IsTransient(Exception e) => e is DeviceException { IsTransient: true };

    /// <summary>The kind of device failure <paramref name="e"/> is, or null when it is none (a bug, a cancellation).</summary>
    public static DeviceErrorKind? KindOf(Exception e) => (e as DeviceException)?.Kind;

    /// <summary>A one-line description of <paramref name="e"/>.</summary>
    public static string Describe(Exception e) => e switch
    {
        DeviceException { Kind: DeviceErrorKind.Timeout } => "no answer in time: " + e.Message,
        DeviceException { Kind: DeviceErrorKind.Refused } => "the device refused: " + e.Message,
        DeviceException { Kind: DeviceErrorKind.Protocol } => "garbled answer: " + e.Message,
        DeviceException { Kind: DeviceErrorKind.Unreachable } => "unreachable: " + e.Message,
        DeviceException { Kind: DeviceErrorKind.ReadOnly } => "read-only: " + e.Message,
        DeviceException { Kind: DeviceErrorKind.BadValue } => "unusable value: " + e.Message,
        _ => e.Message,
    };
}
