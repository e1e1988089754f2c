namespace Gateway.Drivers.Serial;

/// <summary>
/// One end of an in-memory serial line: what one end writes, the other reads. For tests
/// and simulations that need an RTU link without a tty.
/// </summary>
internal sealed class InMemorySerialChannel : ISerialChannel
{
    private readonly ByteInbox _inbox;
    private InMemorySerialChannel? _peer;
    private bool _disposed;

    private InMemorySerialChannel(TimeProvider timeProvider)
    {
        _inbox = new ByteInbox(timeProvider);
    }

    /// <summary>Creates two connected ends.</summary>
    public static (InMemorySerialChannel A, InMemorySerialChannel B) CreatePair(TimeProvider? timeProvider = null)
    {
        var a = new InMemorySerialChannel(timeProvider ?? TimeProvider.System);
        var b = new InMemorySerialChannel(timeProvider ?? TimeProvider.System);
        a._peer = b;
        b._peer = a;
        return (a, b);
    }

    /// <inheritdoc />
    public ValueTask<int> ReadAsync(Memory<byte> buffer, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _inbox.ReadAsync(buffer, timeout, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        cancellationToken.ThrowIfCancellationRequested();
        _peer!._inbox.Push(data.Span);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public void DiscardInput() => _inbox.Clear();

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _disposed = true;
        _inbox.Complete();
        return ValueTask.CompletedTask;
    }
}
