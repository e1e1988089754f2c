namespace Gateway.Drivers.Serial;

/// <summary>
/// One end of an in-memory serial line: what one end writes, the other reads. For tests
/// and simulations that need an RTU link without a tty.
/// </summary>
public sealed class InMemorySerialChannel : ISerialChannel
{
    private readonly ByteInbox inbox;
    private InMemorySerialChannel? peer;
    private bool disposed;

    private InMemorySerialChannel(TimeProvider timeProvider)
    {
        inbox = new ByteInbox(timeProvider);
    }

    /// <summary>Creates two connected ends.</summary>
    public static (InMemorySerialChannel A, InMemorySerialChannel B) CreatePair(TimeProvider? timeProvider = null)
    {
        var a = new InMemorySerialChannel(timeProvider ?? TimeProvider.System);
        var b = new InMemorySerialChannel(timeProvider ?? TimeProvider.System);
        a.peer = b;
        b.peer = a;
        return (a, b);
    }

    /// <inheritdoc />
    public ValueTask<int> ReadAsync(Memory<byte> buffer, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        return inbox.ReadAsync(buffer, timeout, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        cancellationToken.ThrowIfCancellationRequested();
        peer!.inbox.Push(data.Span);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public void DiscardInput() => inbox.Clear();

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        disposed = true;
        inbox.Complete();
        return ValueTask.CompletedTask;
    }
}
