namespace Gateway.Drivers.Mqtt;

/// <summary>
/// Handles a message received on a subscription. Handlers run one message at a time in arrival order; a QoS 1/2
/// message is acknowledged to the broker only after its handlers returned, so a crash mid-handler means redelivery.
/// </summary>
public delegate ValueTask MqttMessageHandler(MqttApplicationMessage message, CancellationToken cancellationToken);
