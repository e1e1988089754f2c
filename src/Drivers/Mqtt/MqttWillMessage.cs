namespace Gateway.Drivers.Mqtt;

/// <summary>
/// The last will: published by the broker for this client when its connection ends without a DISCONNECT
/// (socket lost, keep-alive expired). A gateway uses it for a retained "offline" status.
/// </summary>
/// <param name="Topic">Topic the will is published to (no wildcards).</param>
/// <param name="Payload">Will payload.</param>
/// <param name="Qos">QoS of the will publication.</param>
/// <param name="Retain">Whether the will is retained.</param>
public sealed record MqttWillMessage(string Topic, ReadOnlyMemory<byte> Payload, MqttQos Qos = MqttQos.AtLeastOnce, bool Retain = true);
