namespace Gateway.Drivers.Mqtt;

/// <summary>A subscription the client remembers, to route messages to its handlers and to restore it after a reconnect.</summary>
/// <param name="topicFilter">The filter.</param>
/// <param name="qos">The QoS asked for.</param>
/// <param name="identifier">
/// Its MQTT 5 subscription identifier: the broker names the subscriptions a message matched, so a message that
/// matches several overlapping filters reaches each handler once (over 3.1.1 the topic is matched instead).
/// </param>
internal sealed class MqttSubscriptionEntry(string topicFilter, MqttQos qos, uint identifier)
{
    public string TopicFilter { get; } = topicFilter;

    public MqttQos Qos { get; set; } = qos;

    public uint Identifier { get; } = identifier;

    public List<MqttMessageHandler> Handlers { get; } = new();
}
