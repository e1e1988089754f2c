namespace Gateway.Drivers.Mqtt.Packets;

/// <summary>UNSUBSCRIBE (MQTT 3.1.1 §3.10): one or more topic filters; fixed-header flags 0b0010.</summary>
/// <param name="PacketId">Non-zero packet identifier.</param>
/// <param name="TopicFilters">At least one filter [MQTT-3.10.3-2].</param>
public sealed record MqttUnsubscribePacket(ushort PacketId, IReadOnlyList<string> TopicFilters) : MqttPacket, IMqttPacketWithId
{
    /// <inheritdoc />
    public override MqttPacketType Type => MqttPacketType.Unsubscribe;
}
