namespace Gateway.Drivers.Mqtt.Packets;

/// <summary>UNSUBACK (MQTT 3.1.1 §3.11): acknowledges an UNSUBSCRIBE.</summary>
/// <param name="PacketId">Identifier of the packet being answered.</param>
public sealed record MqttUnsubAckPacket(ushort PacketId) : MqttPacket, IMqttPacketWithId
{
    /// <inheritdoc />
    public override MqttPacketType Type => MqttPacketType.UnsubAck;
}
