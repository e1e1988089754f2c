using System.Globalization;

namespace Gateway.Drivers.Devices;

/// <summary>
/// The device answered a setpoint command and refused it (an MQTT device's negative acknowledgement).
/// The counterpart of a Modbus device answering a write with an exception: the device is reachable,
/// the request is not retried, and <see cref="Reason"/> says why in the device's words.
/// </summary>
internal sealed class SetpointRejectedException : DeviceException
{
    /// <summary>Creates the exception for a refused setpoint.</summary>
    /// <param name="device">Who refused (e.g. the device's topic prefix).</param>
    /// <param name="requestedKw">The setpoint sent, kW after clamping.</param>
    /// <param name="reason">The device's reason, or null when it gave none.</param>
    public SetpointRejectedException(string device, double requestedKw, string? reason)
        : base(DeviceErrorKind.Refused, device,
            $"{device} rejected the setpoint of {requestedKw.ToString("0.###", CultureInfo.InvariantCulture)} kW: {reason ?? "no reason given"}",
            isTransient: false)
    {
        RequestedKw = requestedKw;
        Reason = reason;
    }

    /// <summary>The setpoint sent, kW.</summary>
    public double RequestedKw { get; }

    /// <summary>The device's reason, or null.</summary>
    public string? Reason { get; }
}
