namespace Gateway.Drivers.Modbus;

/// <summary>
/// A frame broke the Modbus specification (bad CRC, wrong byte count, mismatched function
/// code, unit id or echo, bad MBAP header). The message names the clause that was violated.
/// </summary>
internal sealed class ModbusProtocolException : ModbusException
{
    /// <summary>Creates the exception.</summary>
    public ModbusProtocolException(string message)
        : base(message)
    {
    }
}
