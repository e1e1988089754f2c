namespace Gateway.Drivers.Mqtt.Channel;

/// <summary>
/// A connected, ordered byte stream to the broker (TCP, TLS over TCP, or in-memory in tests).
/// It knows nothing of MQTT packets.
/// </summary>
public interface IMqttChannel : IAsyncDisposable
{
    /// <summary>Read at least one byte into <paramref name="buffer"/>; 0 means the peer closed the stream.</summary>
    ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default);

    /// <summary>Write all of <paramref name="data"/>.</summary>
    ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default);
}
