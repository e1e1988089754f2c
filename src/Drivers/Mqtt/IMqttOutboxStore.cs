namespace Gateway.Drivers.Mqtt;

/// <summary>
/// Where a client keeps its QoS 1/2 messages from <c>PublishAsync</c> until the broker acknowledged them, so they
/// survive the gateway's restart. The client calls it from one thread at a time.
/// </summary>
public interface IMqttOutboxStore : IDisposable
{
    /// <summary>Messages stored and not yet removed, in the order they were added.</summary>
    IReadOnlyList<MqttStoredMessage> Load();

    /// <summary>Store a message durably before <c>PublishAsync</c> accepts it; returns its id (increasing).</summary>
    long Add(MqttStoredMessage message);

    /// <summary>Forget a message: the broker acknowledged it (or refused it for good).</summary>
    void Remove(long id);
}

/// <summary>A QoS 1/2 message waiting in an <see cref="IMqttOutboxStore"/>.</summary>
/// <param name="Id">The store's id (0 before it is added).</param>
/// <param name="Topic">Topic.</param>
/// <param name="Payload">Payload.</param>
/// <param name="Qos">QoS 1 or 2.</param>
/// <param name="Retain">Retain flag.</param>
/// <param name="UserProperties">MQTT 5 user properties (dropped over 3.1.1).</param>
public sealed record MqttStoredMessage(long Id, string Topic, byte[] Payload, MqttQos Qos, bool Retain, IReadOnlyList<KeyValuePair<string, string>> UserProperties);
