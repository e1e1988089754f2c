namespace Gateway.Drivers.Mqtt.Channel;

/// <summary>Opens a fresh <see cref="IMqttChannel"/> for each connection attempt (the client reconnects through it).</summary>
public interface IMqttChannelFactory
{
    /// <summary>Connect to the broker described by <paramref name="options"/>.</summary>
    /// <exception cref="MqttCommunicationException">The broker cannot be reached or the TLS handshake failed.</exception>
    ValueTask<IMqttChannel> ConnectAsync(MqttClientOptions options, CancellationToken cancellationToken = default);
}
