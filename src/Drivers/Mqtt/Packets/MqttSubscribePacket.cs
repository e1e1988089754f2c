namespace Gateway.Drivers.Mqtt.Packets;

/// <summary>SUBSCRIBE (MQTT 3.1.1 §3.8): one or more filter/QoS pairs; fixed-header flags 0b0010.</summary>
/// <param name="PacketId">Non-zero packet identifier.</param>
/// <param name="Subscriptions">At least one topic filter with its maximum QoS [MQTT-3.8.3-3].</param>
public sealed record MqttSubscribePacket(ushort PacketId, IReadOnlyList<MqttTopicSubscription> Subscriptions) : MqttPacket, IMqttPacketWithId
{
    /// <inheritdoc />
    public override MqttPacketType Type => MqttPacketType.Subscribe;
}
