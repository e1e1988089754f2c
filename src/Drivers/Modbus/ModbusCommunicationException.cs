namespace Gateway.Drivers.Modbus;

/// <summary>
/// The request did not complete at the transport level: the peer is unreachable, the
/// connection dropped, the serial port failed, or (subtype <see cref="ModbusTimeoutException"/>)
/// no answer came in time. Retrying may help; that decision belongs to the caller's pipeline.
/// </summary>
public class ModbusCommunicationException : ModbusException
{
    /// <summary>Creates the exception.</summary>
    public ModbusCommunicationException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
