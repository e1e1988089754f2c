namespace Gateway.Drivers.Mqtt.Packets;

/// <summary>CONNACK (MQTT 3.1.1 §3.2): <c>20 02 sp rc</c>.</summary>
/// <param name="SessionPresent">The server resumed a stored session.</param>
/// <param name="ReturnCode">Accepted or the reason for refusal.</param>
public sealed record MqttConnAckPacket(bool SessionPresent, MqttConnectReturnCode ReturnCode) : MqttPacket
{
    /// <inheritdoc />
    public override MqttPacketType Type => MqttPacketType.ConnAck;
}
