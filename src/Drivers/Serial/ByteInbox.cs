using System.Threading.Channels;

namespace Gateway.Drivers.Serial;

/// <summary>
/// The receive side shared by the serial channels: chunks pushed by a producer (a reader
/// thread or the other end of an in-memory pair), read with a silence timeout.
/// </summary>
internal sealed class ByteInbox(TimeProvider timeProvider)
{
    private readonly Channel<byte[]> chunks = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });
    private byte[]? current;
    private int offset;

    public void Push(ReadOnlySpan<byte> data) => chunks.Writer.TryWrite(data.ToArray());

    public void Complete(Exception? error = null) => chunks.Writer.TryComplete(error);

    public void Clear()
    {
        current = null;
        offset = 0;
        while (chunks.Reader.TryRead(out _))
        {
        }
    }

    public async ValueTask<int> ReadAsync(Memory<byte> buffer, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (current is null && !chunks.Reader.TryRead(out current))
        {
            if (!await WaitAsync(timeout, cancellationToken).ConfigureAwait(false))
            {
                return 0;
            }

            if (!chunks.Reader.TryRead(out current))
            {
                return 0;
            }

            offset = 0;
        }

        int total = 0;
        while (current is not null && total < buffer.Length)
        {
            int n = Math.Min(buffer.Length - total, current.Length - offset);
            current.AsSpan(offset, n).CopyTo(buffer.Span[total..]);
            total += n;
            offset += n;
            if (offset == current.Length)
            {
                offset = 0;
                if (!chunks.Reader.TryRead(out current))
                {
                    current = null;
                }
            }
        }

        return total;
    }

    private async ValueTask<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            if (timeout == Timeout.InfiniteTimeSpan)
            {
                return await chunks.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false) ? true : throw Closed();
            }

            using var timer = new CancellationTokenSource(timeout, timeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timer.Token, cancellationToken);
            try
            {
                return await chunks.Reader.WaitToReadAsync(linked.Token).ConfigureAwait(false) ? true : throw Closed();
            }
            catch (OperationCanceledException) when (timer.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                return false;
            }
        }
        catch (ChannelClosedException ex)
        {
            throw new IOException($"Serial channel failed: {ex.InnerException?.Message ?? ex.Message}", ex.InnerException ?? ex);
        }
    }

    private static IOException Closed() => new("Serial channel is closed.");
}
