namespace Gateway.Drivers.Mqtt.Packets;

/// <summary>PINGRESP (MQTT 3.1.1 §3.13): the server's answer to PINGREQ.</summary>
public sealed record MqttPingRespPacket : MqttPacket
{
    /// <summary>The only instance: the packet has no content.</summary>
    public static readonly MqttPingRespPacket Instance = new();

    /// <inheritdoc />
    public override MqttPacketType Type => MqttPacketType.PingResp;
}
