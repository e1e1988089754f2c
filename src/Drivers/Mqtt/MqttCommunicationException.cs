namespace Gateway.Drivers.Mqtt;

/// <summary>
/// The connection to the broker failed or was lost (socket error, TLS failure, timeout, broker gone).
/// Retrying later may succeed.
/// </summary>
public class MqttCommunicationException : Exception
{
    /// <summary>Create with a message.</summary>
    public MqttCommunicationException(string message) : base(message) { }

    /// <summary>Create with a message and the underlying cause.</summary>
    public MqttCommunicationException(string message, Exception? innerException) : base(message, innerException) { }
}
