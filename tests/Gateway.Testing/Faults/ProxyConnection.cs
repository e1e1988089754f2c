using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace Gateway.Testing;

/// <summary>
/// One client connection through a <see cref="FaultProxy"/> and its upstream twin: a pump per
/// direction reads whole frames, lets that direction's <see cref="LinkFaults"/> decide their fate,
/// and a writer delivers them at their release time, in order unless reordered.
/// </summary>
internal sealed class ProxyConnection : IAsyncDisposable
{
    private readonly Socket _client;
    private readonly FaultProxy _owner;
    private readonly CancellationTokenSource _cut = new();
    private Socket? _server;
    private volatile bool _halfOpen;
    private Task _run = Task.CompletedTask;

    public ProxyConnection(Socket client, FaultProxy owner)
    {
        this._client = client;
        this._owner = owner;
    }

    public Task Completion => _run;

    public void Start(IPEndPoint upstream, bool blackhole) => _run = RunAsync(upstream, blackhole);

    /// <summary>
    /// The server's side closes (it sees the client leave); the client's side stays open, swallows what
    /// the client sends and never answers nor closes — the client's view of a peer that lost power.
    /// </summary>
    public void GoHalfOpen()
    {
        _halfOpen = true;
        _server?.Dispose();
    }

    /// <summary>Closes both sides at once: with a reset (RST) or an orderly close (FIN).</summary>
    public void Disconnect(bool reset)
    {
        if (reset)
        {
            TryReset(_client);
            if (_server is { } upstream)
            {
                TryReset(upstream);
            }
        }

        _cut.Cancel();
        _client.Dispose();
        _server?.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        Disconnect(reset: false);
        try
        {
            await _run.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }

        _cut.Dispose();
    }

    private static void TryReset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task RunAsync(IPEndPoint upstream, bool blackhole)
    {
        var token = _cut.Token;
        try
        {
            if (blackhole)
            {
                _halfOpen = true;
                await SwallowAsync(token).ConfigureAwait(false);
                return;
            }

            // A partition holds new connections too: accepted, but nothing reaches the server until it heals.
            await _owner.WhenReachableAsync(token).ConfigureAwait(false);
            var upstreamSocket = new Socket(upstream.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            _server = upstreamSocket;
            try
            {
                await upstreamSocket.ConnectAsync(upstream, token).ConfigureAwait(false);
            }
            catch (SocketException)
            {
                // The server is down: the client sees its connection reset, as it would see a refused connect.
                TryReset(_client);
                _client.Dispose();
                return;
            }

            var toServer = PumpAsync(_client, upstreamSocket, _owner.ToServer, token);
            var toClient = PumpAsync(upstreamSocket, _client, _owner.ToClient, token);
            await Task.WhenAll(toServer, toClient).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
        finally
        {
            // Both pumps ended: the client closed (a half-open connection stays open until then) or the proxy cut it.
            _server?.Dispose();
            _client.Dispose();
        }
    }

    /// <summary>Reads and discards what the client sends until it closes (or the proxy cuts the connection).</summary>
    private async Task SwallowAsync(CancellationToken token)
    {
        var buffer = new byte[4096];
        int read;
        while ((read = await _client.ReceiveAsync(buffer, SocketFlags.None, token).ConfigureAwait(false)) > 0)
        {
            _owner.Counters.CountDiscarded(read);
        }
    }

    private async Task PumpAsync(Socket source, Socket destination, LinkFaults faults, CancellationToken token)
    {
        var frames = Channel.CreateUnbounded<OutgoingFrame>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var writer = DeliverAsync(frames.Reader, destination, faults, token);
        var buffer = new byte[64 * 1024];
        int start = 0;
        int end = 0;
        long lastRelease = 0;
        try
        {
            while (true)
            {
                int read;
                try
                {
                    read = await source.ReceiveAsync(buffer.AsMemory(end), SocketFlags.None, token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
                {
                    read = 0;
                }

                if (read == 0)
                {
                    break;
                }

                if (_halfOpen && faults.Direction == FaultDirection.ToServer)
                {
                    _owner.Counters.CountDiscarded(read);
                    continue;
                }

                end += read;
                int length;
                while (end > start && (length = _owner.Framing(buffer.AsSpan(start, end - start))) > 0)
                {
                    var frame = buffer.AsSpan(start, length).ToArray();
                    start += length;
                    var verdict = faults.Decide(frame.Length);
                    if (verdict.Drop)
                    {
                        _owner.Counters.CountDropped();
                        continue;
                    }

                    if (verdict.CorruptOffset >= 0)
                    {
                        frame[verdict.CorruptOffset] ^= verdict.CorruptMask;
                        _owner.Counters.CountCorrupted();
                    }

                    long release = Stopwatch.GetTimestamp();
                    if (verdict.Delay > TimeSpan.Zero)
                    {
                        release += (long)(verdict.Delay.TotalSeconds * Stopwatch.Frequency);
                        _owner.Counters.CountDelay(verdict.Delay);
                    }

                    // A stream keeps its order: a frame never overtakes the one before it, however the jitter fell.
                    lastRelease = Math.Max(lastRelease, release);
                    frames.Writer.TryWrite(new OutgoingFrame(frame, lastRelease, verdict.Reorder, verdict.Cut));
                }

                if (start == end)
                {
                    start = end = 0;
                }
                else if (end == buffer.Length)
                {
                    Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                    end -= start;
                    start = 0;
                }
            }
        }
        finally
        {
            frames.Writer.TryComplete();
            await writer.ConfigureAwait(false);
        }

        if (!_halfOpen)
        {
            try
            {
                // Pass the end of the stream on once everything before it was delivered.
                destination.Shutdown(SocketShutdown.Send);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
            }
        }
    }

    private async Task DeliverAsync(ChannelReader<OutgoingFrame> frames, Socket destination, LinkFaults faults, CancellationToken token)
    {
        try
        {
            while (await frames.WaitToReadAsync(token).ConfigureAwait(false))
            {
                while (frames.TryRead(out var frame))
                {
                    if (frame.Reorder && await NextWithinAsync(frames, token).ConfigureAwait(false) is { } successor)
                    {
                        await SendAsync(successor, destination, faults, token).ConfigureAwait(false);
                        _owner.Counters.CountReordered();
                    }

                    await SendAsync(frame, destination, faults, token).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
    }

    /// <summary>The frame after a reordered one, if it comes within the proxy's reorder hold.</summary>
    private async Task<OutgoingFrame?> NextWithinAsync(ChannelReader<OutgoingFrame> frames, CancellationToken token)
    {
        if (frames.TryRead(out var next))
        {
            return next;
        }

        using var hold = CancellationTokenSource.CreateLinkedTokenSource(token);
        hold.CancelAfter(_owner.ReorderHold);
        try
        {
            if (await frames.WaitToReadAsync(hold.Token).ConfigureAwait(false) && frames.TryRead(out next))
            {
                return next;
            }
        }
        catch (OperationCanceledException) when (!token.IsCancellationRequested)
        {
        }

        return null;
    }

    private async Task SendAsync(OutgoingFrame frame, Socket destination, LinkFaults faults, CancellationToken token)
    {
        long wait = frame.ReleaseTimestamp - Stopwatch.GetTimestamp();
        if (wait > 0)
        {
            await Task.Delay(TimeSpan.FromSeconds(wait / (double)Stopwatch.Frequency), token).ConfigureAwait(false);
        }

        // A stall may begin while this frame waits for its release time: check until traffic flows.
        Task flowing;
        while (!(flowing = faults.WhenFlowing()).IsCompleted)
        {
            await flowing.WaitAsync(token).ConfigureAwait(false);
        }

        if (_halfOpen)
        {
            _owner.Counters.CountDiscarded(frame.Bytes.Length);
            return;
        }

        if (frame.Cut)
        {
            // Half the frame, then a reset on both sides: the peer holds a torn frame it must not take for an answer.
            var half = frame.Bytes.AsMemory(0, Math.Max(1, frame.Bytes.Length / 2));
            while (!half.IsEmpty)
            {
                half = half[await destination.SendAsync(half, SocketFlags.None, token).ConfigureAwait(false)..];
            }

            _owner.Counters.CountCut();
            Disconnect(reset: true);
            return;
        }

        // Counted before the send: a peer that reacts at once must find the count already up to date.
        _owner.Counters.CountDelivered(faults.Direction);
        var data = frame.Bytes.AsMemory();
        while (!data.IsEmpty)
        {
            data = data[await destination.SendAsync(data, SocketFlags.None, token).ConfigureAwait(false)..];
        }
    }

    private sealed record OutgoingFrame(byte[] Bytes, long ReleaseTimestamp, bool Reorder, bool Cut = false);
}
