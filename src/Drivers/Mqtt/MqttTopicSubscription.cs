namespace Gateway.Drivers.Mqtt;

/// <summary>A topic filter (may hold <c>+</c> and <c>#</c>) and the maximum QoS asked for it.</summary>
/// <param name="TopicFilter">The filter, e.g. <c>site/+/meter/#</c>.</param>
/// <param name="Qos">Maximum QoS the broker should deliver with.</param>
public sealed record MqttTopicSubscription(string TopicFilter, MqttQos Qos);
