namespace Gateway.Drivers.Mqtt;

/// <summary>A message received from the broker.</summary>
/// <param name="Topic">Topic the message was published to.</param>
/// <param name="Payload">Payload bytes.</param>
/// <param name="Qos">QoS it was delivered with (the lower of the publisher's and the subscription's).</param>
/// <param name="Retain">True when it is a retained message sent because of a new subscription.</param>
/// <param name="Duplicate">True when the broker marked it as a re-delivery.</param>
public sealed record MqttApplicationMessage(string Topic, ReadOnlyMemory<byte> Payload, MqttQos Qos, bool Retain, bool Duplicate)
{
    /// <summary>MQTT 5 user properties in the order sent (empty over MQTT 3.1.1, which has none).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> UserProperties { get; init; } = [];

    /// <summary>The value of the first user property named <paramref name="name"/>, or null.</summary>
    internal string? UserProperty(string name)
    {
        foreach (var property in UserProperties)
            if (property.Key == name) return property.Value;
        return null;
    }
}
