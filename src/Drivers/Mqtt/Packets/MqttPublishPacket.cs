namespace Gateway.Drivers.Mqtt.Packets;

/// <summary>PUBLISH (MQTT 3.1.1 §3.3). The packet id is present only for QoS 1 and 2.</summary>
public sealed record MqttPublishPacket : MqttPacket
{
    /// <inheritdoc />
    public override MqttPacketType Type => MqttPacketType.Publish;

    /// <summary>Topic name (never a filter: no <c>+</c> or <c>#</c>).</summary>
    public required string Topic { get; init; }

    /// <summary>Application payload, any bytes.</summary>
    public ReadOnlyMemory<byte> Payload { get; init; }

    /// <summary>Delivery quality of service.</summary>
    public MqttQos Qos { get; init; }

    /// <summary>The broker keeps the last retained message per topic for new subscribers.</summary>
    public bool Retain { get; init; }

    /// <summary>Set on a re-delivery of a QoS 1/2 message.</summary>
    public bool Duplicate { get; init; }

    /// <summary>Packet identifier, non-zero for QoS 1 and 2, 0 for QoS 0.</summary>
    public ushort PacketId { get; init; }
}
