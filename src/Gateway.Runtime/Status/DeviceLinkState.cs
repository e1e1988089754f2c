namespace Gateway.Runtime.Status;

/// <summary>How the gateway currently sees its link to a device.</summary>
/// <remarks>Public: part of <see cref="DeviceHealth"/>; the device table colours by it.</remarks>
public enum DeviceLinkState
{
    /// <summary>Not polled yet.</summary>
    Unknown,
    /// <summary>Recent readings are good; the device receives setpoints and watchdog refreshes.</summary>
    Healthy,
    /// <summary>Some reads fail or values are out of range; still dispatched to.</summary>
    Degraded,
    /// <summary>The device does not answer: no setpoints are sent; its own fail-safe takes it to 0 kW.</summary>
    Isolated,
}
