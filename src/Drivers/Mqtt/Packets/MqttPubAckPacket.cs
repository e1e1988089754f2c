namespace Gateway.Drivers.Mqtt.Packets;

/// <summary>PUBACK (MQTT 3.1.1 §3.4): acknowledges a QoS 1 PUBLISH.</summary>
/// <param name="PacketId">Identifier of the packet being answered.</param>
public sealed record MqttPubAckPacket(ushort PacketId) : MqttPacket, IMqttPacketWithId
{
    /// <inheritdoc />
    public override MqttPacketType Type => MqttPacketType.PubAck;
}
