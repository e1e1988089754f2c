namespace Gateway.Drivers.Modbus;

/// <summary>
/// The connection was up (or the serial port open) and the request was sent, but no
/// complete answer arrived within the request timeout. Distinct from an unreachable peer,
/// which is a plain <see cref="ModbusCommunicationException"/>.
/// </summary>
internal sealed class ModbusTimeoutException : ModbusCommunicationException
{
    /// <summary>Creates the exception.</summary>
    public ModbusTimeoutException(string message, TimeSpan timeout)
        : base(message)
    {
        Timeout = timeout;
    }

    /// <summary>The timeout that elapsed.</summary>
    public TimeSpan Timeout { get; }
}
