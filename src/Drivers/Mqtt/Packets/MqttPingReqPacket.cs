namespace Gateway.Drivers.Mqtt.Packets;

/// <summary>PINGREQ (MQTT 3.1.1 §3.12): keeps an idle connection alive.</summary>
public sealed record MqttPingReqPacket : MqttPacket
{
    /// <summary>The only instance: the packet has no content.</summary>
    public static readonly MqttPingReqPacket Instance = new();

    /// <inheritdoc />
    public override MqttPacketType Type => MqttPacketType.PingReq;
}
