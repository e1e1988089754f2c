namespace Gateway.Drivers.Mqtt.Packets;

/// <summary>A packet that carries a packet identifier, so the dispatcher can match it to its request.</summary>
public interface IMqttPacketWithId
{
    /// <summary>The 16-bit packet identifier.</summary>
    ushort PacketId { get; }
}
