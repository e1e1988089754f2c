namespace Gateway.Drivers.Mqtt.Packets;

/// <summary>DISCONNECT (MQTT 3.1.1 §3.14): a clean goodbye; the server discards the will.</summary>
public sealed record MqttDisconnectPacket : MqttPacket
{
    /// <summary>The only instance: the packet has no content.</summary>
    public static readonly MqttDisconnectPacket Instance = new();

    /// <inheritdoc />
    public override MqttPacketType Type => MqttPacketType.Disconnect;
}
