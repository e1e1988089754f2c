using Gateway.Drivers.Mqtt;

namespace Gateway.Drivers.Devices.Mqtt;

/// <summary>
/// One broker connection shared by every MQTT device behind it (as devices behind one Modbus TCP
/// endpoint share one client). It connects on first use; afterwards the client's own reconnect keeps
/// it up and restores the drivers' subscriptions.
/// </summary>
public sealed class MqttDeviceConnection : IAsyncDisposable
{
    private readonly SemaphoreSlim _connectLock = new(1, 1);
    private readonly bool _ownsClient;

    /// <summary>Wraps <paramref name="client"/>; <paramref name="description"/> names the broker in errors (e.g. mqtt://10.0.0.5:1883).</summary>
    public MqttDeviceConnection(IMqttClient client, string description, bool ownsClient = true)
    {
        Client = client;
        Description = description;
        _ownsClient = ownsClient;
    }

    /// <summary>The client the drivers publish and subscribe through.</summary>
    public IMqttClient Client { get; }

    /// <summary>The broker, for messages.</summary>
    public string Description { get; }

    /// <summary>Connects when the client is not connected and not already reconnecting by itself.</summary>
    /// <exception cref="MqttCommunicationException">The broker cannot be reached.</exception>
    /// <exception cref="MqttConnectException">The broker refused the connection.</exception>
    internal async Task EnsureConnectedAsync(CancellationToken cancellationToken = default)
    {
        // Connecting: another device behind this broker is making the first connection (a TLS handshake takes a while);
        // wait for it on the lock rather than subscribe on a connection that is not there yet.
        if (Client.State is MqttConnectionState.Connected or MqttConnectionState.Reconnecting or MqttConnectionState.Disposed) return;
        await _connectLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Client.State == MqttConnectionState.Disconnected) await Client.ConnectAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _connectLock.Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_ownsClient) await Client.DisposeAsync().ConfigureAwait(false);
        _connectLock.Dispose();
    }
}
