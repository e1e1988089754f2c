using Gateway.Drivers.Mqtt;

namespace Gateway.Runtime.Operator;

/// <summary>One MQTT publication to operators, ready to send.</summary>
/// <param name="Topic">Topic (see <see cref="OperatorTopics"/>).</param>
/// <param name="Payload">UTF-8 payload; empty with <paramref name="Retain"/> clears a retained message.</param>
/// <param name="Qos">QoS: at least once for setpoints, rounds, acknowledgements and status; at most once for health and backlog.</param>
/// <param name="Retain">Whether a late subscriber receives it.</param>
internal sealed record OperatorMessage(string Topic, ReadOnlyMemory<byte> Payload, MqttQos Qos, bool Retain)
{
    /// <summary>
    /// MQTT 5 user properties (<c>round</c>, <c>device</c>, <c>operator</c>, <c>state</c>): a control room can route and
    /// filter on them without parsing the payload, which still carries everything (3.1.1 brokers drop properties).
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, string>> UserProperties { get; init; } = [];
}
