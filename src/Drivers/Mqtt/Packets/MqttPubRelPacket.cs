namespace Gateway.Drivers.Mqtt.Packets;

/// <summary>PUBREL (MQTT 3.1.1 §3.6): releases a QoS 2 message; fixed-header flags 0b0010.</summary>
/// <param name="PacketId">Identifier of the packet being answered.</param>
public sealed record MqttPubRelPacket(ushort PacketId) : MqttPacket, IMqttPacketWithId
{
    /// <inheritdoc />
    public override MqttPacketType Type => MqttPacketType.PubRel;
}
