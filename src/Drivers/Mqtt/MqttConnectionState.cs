namespace Gateway.Drivers.Mqtt;

/// <summary>Where the client's connection stands.</summary>
public enum MqttConnectionState
{
    /// <summary>Not connected and not trying (before <c>ConnectAsync</c>, after <c>DisconnectAsync</c>, or after reconnect gave up).</summary>
    Disconnected,
    /// <summary>First connection attempt in progress.</summary>
    Connecting,
    /// <summary>Connected; CONNACK accepted and the session restored.</summary>
    Connected,
    /// <summary>Connection lost; the reconnect policy is trying again.</summary>
    Reconnecting,
    /// <summary>Disposed; no further use.</summary>
    Disposed,
}
