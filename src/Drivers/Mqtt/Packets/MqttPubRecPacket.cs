namespace Gateway.Drivers.Mqtt.Packets;

/// <summary>PUBREC (MQTT 3.1.1 §3.5): first answer to a QoS 2 PUBLISH.</summary>
/// <param name="PacketId">Identifier of the packet being answered.</param>
public sealed record MqttPubRecPacket(ushort PacketId) : MqttPacket, IMqttPacketWithId
{
    /// <inheritdoc />
    public override MqttPacketType Type => MqttPacketType.PubRec;
}
