namespace Gateway.Drivers.Mqtt;

/// <summary>
/// The peer sent bytes that break MQTT 3.1.1 (or the caller asked for something the spec forbids).
/// The message names the violated clause, e.g. <c>[MQTT-3.3.1-4]</c>; the connection is closed.
/// </summary>
public sealed class MqttProtocolException : MqttCommunicationException
{
    /// <summary>Create with a message that cites the clause.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="clause">The conformance clause or section violated, e.g. <c>MQTT-3.3.1-4</c>.</param>
    public MqttProtocolException(string message, string clause) : base($"{message} [{clause}]")
    {
        Clause = clause;
    }

    /// <summary>The violated clause, e.g. <c>MQTT-3.3.1-4</c> or <c>MQTT-2.2.3</c> (a section where the spec numbers none).</summary>
    public string Clause { get; }
}
