using Gateway.Drivers.Mqtt.Packets;

namespace Gateway.Drivers.Mqtt.Client;

/// <summary>
/// A QoS 1/2 message the client owns until the broker acknowledges it: kept across reconnects and resent
/// (DUP = 1 once it has been sent) in the order it was published.
/// </summary>
internal sealed class MqttOutgoingPublish(MqttPublishPacket packet, long sequence)
{
    public MqttPublishPacket Packet { get; } = packet;

    /// <summary>Publication order, so a resend after reconnect keeps the original order.</summary>
    public long Sequence { get; } = sequence;

    public ushort PacketId => Packet.PacketId;

    /// <summary>Written to some connection at least once: a resend must carry DUP = 1 [MQTT-3.3.1-1].</summary>
    public bool Sent { get; set; }

    /// <summary>The connection it was last written to, to count the in-flight window of the live connection.</summary>
    public MqttPacketConnection? SentOn { get; set; }

    /// <summary>QoS 2: PUBREC received, so after a reconnect the PUBREL is resent instead of the PUBLISH.</summary>
    public bool Released { get; set; }
}
