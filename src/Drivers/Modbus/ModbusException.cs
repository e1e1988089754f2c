namespace Gateway.Drivers.Modbus;

/// <summary>
/// Base of the three Modbus failures a caller tells apart: <see cref="ModbusCommunicationException"/>
/// (the bytes did not get there or back), <see cref="ModbusProtocolException"/> (bytes came back but
/// break the spec) and <see cref="ModbusDeviceException"/> (the device answered with an exception code).
/// </summary>
public abstract class ModbusException : Exception
{
    /// <summary>Creates the exception.</summary>
    protected ModbusException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
