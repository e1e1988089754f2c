using Gateway.Drivers.Mqtt.Packets;

namespace Gateway.Drivers.Mqtt;

/// <summary>A message received from the broker.</summary>
/// <param name="Topic">Topic the message was published to.</param>
/// <param name="Payload">Payload bytes.</param>
/// <param name="Qos">QoS it was delivered with (the lower of the publisher's and the subscription's).</param>
/// <param name="Retain">True when it is a retained message sent because of a new subscription.</param>
/// <param name="Duplicate">True when the broker marked it as a re-delivery.</param>
public sealed record MqttApplicationMessage(string Topic, ReadOnlyMemory<byte> Payload, MqttQos Qos, bool Retain, bool Duplicate);
