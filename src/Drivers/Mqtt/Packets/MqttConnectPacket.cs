namespace Gateway.Drivers.Mqtt.Packets;

/// <summary>CONNECT (MQTT 3.1.1 §3.1): protocol "MQTT" level 4.</summary>
public sealed record MqttConnectPacket : MqttPacket
{
    /// <inheritdoc />
    public override MqttPacketType Type => MqttPacketType.Connect;

    /// <summary>Client identifier; empty is allowed only with <see cref="CleanSession"/> [MQTT-3.1.3-7].</summary>
    public required string ClientId { get; init; }

    /// <summary>Start a new session (true) or resume the stored one (false).</summary>
    public bool CleanSession { get; init; } = true;

    /// <summary>Keep-alive in seconds; 0 disables it.</summary>
    public ushort KeepAliveSeconds { get; init; }

    /// <summary>Optional user name.</summary>
    public string? UserName { get; init; }

    /// <summary>Optional password; only with a user name [MQTT-3.1.2-22].</summary>
    public ReadOnlyMemory<byte>? Password { get; init; }

    /// <summary>Optional last will, published by the server when the client disappears without DISCONNECT.</summary>
    public MqttWillMessage? Will { get; init; }

    /// <summary>Protocol level byte; 4 for MQTT 3.1.1.</summary>
    public byte ProtocolLevel { get; init; } = 4;
}
