namespace Gateway.Drivers.Devices;

/// <summary>
/// What went wrong talking to a device, in the terms a caller acts on, whatever the transport: whether to retry,
/// which exit code a command-line verb returns, what an operator reads.
/// </summary>
public enum DeviceErrorKind
{
    /// <summary>The device or its broker cannot be reached: nothing listens, no route, the port cannot be opened, the connection dropped.</summary>
    Unreachable,
    /// <summary>The device was reached but did not answer (or acknowledge, or publish) in time.</summary>
    Timeout,
    /// <summary>The device answered and refused: a Modbus exception response, a negative acknowledgement, a refused subscription.</summary>
    Refused,
    /// <summary>The device answered with bytes that break the protocol (a wrong unit id, length, protocol id, function code or byte count).</summary>
    Protocol,
    /// <summary>
    /// A value cannot be used: the caller's (a setpoint that is not a number) or the device's (a point the profile needs is absent,
    /// a scale factor is missing, the device is not SunSpec though the profile says so).
    /// </summary>
    BadValue,
    /// <summary>The driver is in read-only mode and was asked to write.</summary>
    ReadOnly,
}
