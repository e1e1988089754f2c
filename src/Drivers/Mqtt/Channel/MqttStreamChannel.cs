namespace Gateway.Drivers.Mqtt.Channel;

/// <summary>An <see cref="IMqttChannel"/> over any duplex stream (a <c>NetworkStream</c> or an <c>SslStream</c>).</summary>
public sealed class MqttStreamChannel : IMqttChannel
{
    private readonly Stream _stream;
    private readonly IDisposable? _owner;

    /// <summary>Wrap <paramref name="stream"/>; <paramref name="owner"/> (e.g. the socket) is disposed with it.</summary>
    public MqttStreamChannel(Stream stream, IDisposable? owner = null)
    {
        _stream = stream ?? throw new ArgumentNullException(nameof(stream));
        _owner = owner;
    }

    /// <inheritdoc />
    public ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        _stream.ReadAsync(buffer, cancellationToken);

    /// <inheritdoc />
    public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) =>
        _stream.WriteAsync(data, cancellationToken);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try { await _stream.DisposeAsync().ConfigureAwait(false); }
        catch (IOException) { /* the peer is already gone; nothing left to flush */ }
        _owner?.Dispose();
    }
}
