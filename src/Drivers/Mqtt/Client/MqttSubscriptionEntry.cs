using Gateway.Drivers.Mqtt.Packets;

namespace Gateway.Drivers.Mqtt.Client;

/// <summary>A subscription the client remembers, to route messages to its handlers and to restore it after a reconnect.</summary>
internal sealed class MqttSubscriptionEntry(string topicFilter, MqttQos qos)
{
    public string TopicFilter { get; } = topicFilter;

    public MqttQos Qos { get; set; } = qos;

    public List<MqttMessageHandler> Handlers { get; } = new();
}
