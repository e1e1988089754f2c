using Gateway.Drivers.Mqtt.Packets;

namespace Gateway.Drivers.Mqtt.Client;

/// <summary>A received PUBLISH waiting for its handlers, with the connection its acknowledgement belongs to.</summary>
internal sealed record MqttInboundDelivery(MqttPacketConnection Connection, MqttPublishPacket Packet);
