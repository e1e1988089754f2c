namespace Gateway.Drivers.Mqtt;

/// <summary>
/// The broker sent bytes that break the MQTT protocol (a malformed or unexpected packet, a DISCONNECT with reason
/// "malformed packet" or "protocol error"); the connection is closed and, when reconnecting is on, re-established.
/// </summary>
internal sealed class MqttProtocolException : MqttCommunicationException
{
    /// <summary>Create with what is wrong and the underlying cause.</summary>
    public MqttProtocolException(string message, Exception? innerException = null) : base(message, innerException) { }
}
