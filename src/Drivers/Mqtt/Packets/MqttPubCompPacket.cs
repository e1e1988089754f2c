namespace Gateway.Drivers.Mqtt.Packets;

/// <summary>PUBCOMP (MQTT 3.1.1 §3.7): completes a QoS 2 exchange.</summary>
/// <param name="PacketId">Identifier of the packet being answered.</param>
public sealed record MqttPubCompPacket(ushort PacketId) : MqttPacket, IMqttPacketWithId
{
    /// <inheritdoc />
    public override MqttPacketType Type => MqttPacketType.PubComp;
}
