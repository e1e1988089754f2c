namespace Gateway.Drivers.Modbus;

/// <summary>
/// Exception codes a Modbus server returns in an exception response
/// (function code | 0x80), per the Modbus Application Protocol v1.1b3, section 7.
/// <see cref="None"/> means "no exception" and is never put on the wire.
/// </summary>
public enum ModbusExceptionCode : byte
{
    /// <summary>No exception: the request succeeded.</summary>
    None = 0x00,
    /// <summary>01: the function code is not supported by the server.</summary>
    IllegalFunction = 0x01,
    /// <summary>02: the address (or address + quantity) is not valid on the server.</summary>
    IllegalDataAddress = 0x02,
    /// <summary>03: a value in the request is not allowed (quantity out of range, bad coil value).</summary>
    IllegalDataValue = 0x03,
    /// <summary>04: an unrecoverable error occurred while the server performed the action.</summary>
    ServerDeviceFailure = 0x04,
    /// <summary>05: accepted, but it takes long; poll again later.</summary>
    Acknowledge = 0x05,
    /// <summary>06: the server is busy with a long command; resend later.</summary>
    ServerDeviceBusy = 0x06,
    /// <summary>08: parity error in extended memory.</summary>
    MemoryParityError = 0x08,
    /// <summary>0A: a gateway could not allocate a path to the target.</summary>
    GatewayPathUnavailable = 0x0A,
    /// <summary>0B: a gateway got no answer from the target device.</summary>
    GatewayTargetDeviceFailedToRespond = 0x0B,
}
