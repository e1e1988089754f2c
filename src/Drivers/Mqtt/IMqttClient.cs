
namespace Gateway.Drivers.Mqtt;

/// <summary>
/// An MQTT client (MQTT 5, falling back to 3.1.1): connect, publish with QoS 0/1/2 and retain, subscribe with a
/// handler per filter, and stay connected (keep-alive, automatic reconnect that restores the session).
/// </summary>
public interface IMqttClient : IAsyncDisposable
{
    /// <summary>Current connection state.</summary>
    MqttConnectionState State { get; }

    /// <summary>Raised on every state change (connected, reconnecting, disconnected). Handlers must not block.</summary>
    event EventHandler<MqttConnectionStateChangedEventArgs>? ConnectionStateChanged;

    /// <summary>Connect once (no retry on this first attempt). Afterwards a lost connection is re-established automatically.</summary>
    /// <exception cref="MqttConnectException">The broker refused (the return code says why, e.g. bad user name or password).</exception>
    /// <exception cref="MqttCommunicationException">The broker could not be reached, TLS failed, or it answered with a malformed packet.</exception>
    Task ConnectAsync(CancellationToken cancellationToken = default);

    /// <summary>Send DISCONNECT (so the broker discards the will) and close. Stops reconnecting.</summary>
    Task DisconnectAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Publish a message. QoS 0 completes when written (and fails when not connected). QoS 1/2 completes when the
    /// broker acknowledged it; while disconnected the message waits in a bounded queue and is sent after reconnect.
    /// Cancelling stops the wait but not the delivery of a message already accepted.
    /// </summary>
    /// <exception cref="MqttPublishRefusedException">An MQTT 5 broker refused the message with a reason code (e.g. not authorised).</exception>
    Task PublishAsync(string topic, ReadOnlyMemory<byte> payload, MqttQos qos, bool retain, CancellationToken cancellationToken = default);

    /// <summary>
    /// Publish with MQTT 5 user properties (e.g. who acknowledged, which round a message answers). Over MQTT 3.1.1,
    /// which has no properties, they are dropped and the payload must carry what the receiver needs.
    /// </summary>
    Task PublishAsync(string topic, ReadOnlyMemory<byte> payload, MqttQos qos, bool retain,
        IReadOnlyList<KeyValuePair<string, string>>? userProperties, CancellationToken cancellationToken = default);

    /// <summary>Subscribe to filters; returns the SUBACK code per filter (granted QoS or Failure). Messages for filters without a handler go to <see cref="MqttClient.ReceivedMessages"/>.</summary>
    Task<IReadOnlyList<MqttSubscribeReturnCode>> SubscribeAsync(IReadOnlyList<MqttTopicSubscription> subscriptions, CancellationToken cancellationToken = default);

    /// <summary>Subscribe to one filter and route matching messages to <paramref name="handler"/>.</summary>
    /// <returns>The QoS the broker granted.</returns>
    /// <exception cref="MqttSubscribeException">The broker refused the subscription.</exception>
    Task<MqttQos> SubscribeAsync(string topicFilter, MqttQos qos, MqttMessageHandler handler, CancellationToken cancellationToken = default);

    /// <summary>Unsubscribe from filters and drop their handlers.</summary>
    Task UnsubscribeAsync(IReadOnlyList<string> topicFilters, CancellationToken cancellationToken = default);
}
