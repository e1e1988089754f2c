namespace Gateway.Drivers.Mqtt.Packets;

/// <summary>SUBACK (MQTT 3.1.1 §3.9): one return code per requested filter, in order.</summary>
/// <param name="PacketId">Identifier of the SUBSCRIBE being answered.</param>
/// <param name="ReturnCodes">Granted QoS (0, 1, 2) or <see cref="MqttSubscribeReturnCode.Failure"/> per filter.</param>
public sealed record MqttSubAckPacket(ushort PacketId, IReadOnlyList<MqttSubscribeReturnCode> ReturnCodes) : MqttPacket, IMqttPacketWithId
{
    /// <inheritdoc />
    public override MqttPacketType Type => MqttPacketType.SubAck;
}
