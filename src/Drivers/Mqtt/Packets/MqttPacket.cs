namespace Gateway.Drivers.Mqtt.Packets;

/// <summary>One MQTT control packet, as the codec encodes and decodes it.</summary>
public abstract record MqttPacket
{
    /// <summary>The packet type in the fixed header.</summary>
    public abstract MqttPacketType Type { get; }
}
