using System.Threading.Channels;

namespace Gateway.Drivers.Serial;

/// <summary>
/// The receive side shared by the serial channels: chunks pushed by a producer (a reader
/// thread or the other end of an in-memory pair), read with a silence timeout.
/// </summary>
internal sealed class ByteInbox(TimeProvider timeProvider)
{
    private readonly Channel<byte[]> _chunks = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });
    private byte[]? _current;
    private int _offset;

    public void Push(ReadOnlySpan<byte> data) => _chunks.Writer.TryWrite(data.ToArray());

    public void Complete(Exception? error = null) => _chunks.Writer.TryComplete(error);

    public void Clear()
    {
        _current = null;
        _offset = 0;
        while (_chunks.Reader.TryRead(out _))
        {
        }
    }

    public async ValueTask<int> ReadAsync(Memory<byte> buffer, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (_current is null && !_chunks.Reader.TryRead(out _current))
        {
            if (!await WaitAsync(timeout, cancellationToken).ConfigureAwait(false))
            {
                return 0;
            }

            if (!_chunks.Reader.TryRead(out _current))
            {
                return 0;
            }

            _offset = 0;
        }

        int total = 0;
        while (_current is not null && total < buffer.Length)
        {
            int n = Math.Min(buffer.Length - total, _current.Length - _offset);
            _current.AsSpan(_offset, n).CopyTo(buffer.Span[total..]);
            total += n;
            _offset += n;
            if (_offset == _current.Length)
            {
                _offset = 0;
                if (!_chunks.Reader.TryRead(out _current))
                {
                    _current = null;
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
                return await _chunks.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false) ? true : throw Closed();
            }

            using var timer = new CancellationTokenSource(timeout, timeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timer.Token, cancellationToken);
            try
            {
                return await _chunks.Reader.WaitToReadAsync(linked.Token).ConfigureAwait(false) ? true : throw Closed();
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
