using System.Collections.Concurrent;
using System.Net.Sockets;

namespace Gateway.Drivers.Modbus.Tcp;

/// <summary>
/// One live TCP connection of a client. A single reader loop parses MBAP frames and hands
/// each response to the request waiting for its transaction id; a response whose id nobody
/// waits for any more (its request timed out) is dropped, so a late reply can never answer
/// the next request. Any I/O or framing error poisons the connection: every waiter fails and
/// the owning transport opens a fresh one for the next request.
/// </summary>
internal sealed class ModbusTcpConnection : IAsyncDisposable
{
    private readonly Socket socket;
    private readonly string peer;
    private readonly ConcurrentDictionary<ushort, TaskCompletionSource<byte[]>> pending = new();
    private readonly SemaphoreSlim sendLock = new(1, 1);
    private readonly CancellationTokenSource shutdown = new();
    private readonly Task readerLoop;
    private int nextTransactionId;
    private volatile Exception? failure;
    private long staleResponses;

    public ModbusTcpConnection(Socket socket, string peer)
    {
        this.socket = socket;
        this.peer = peer;
        readerLoop = ReadLoopAsync();
    }

    /// <summary>True once the connection failed; the transport then replaces it.</summary>
    public bool IsFaulted => failure is not null;

    /// <summary>Responses dropped because no request waited for their transaction id any more.</summary>
    public long StaleResponses => Interlocked.Read(ref staleResponses);

    public async Task<byte[]> TransactAsync(byte unitId, ReadOnlyMemory<byte> requestPdu, TimeSpan timeout, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        ThrowIfFaulted();
        // Continuations run inline on the reader loop: one thread hop less per request. The caller's code after
        // the await then runs on the reader until its next await, so it must not block (it is async I/O code).
        var completion = new TaskCompletionSource<byte[]>();
        ushort transactionId;
        do
        {
            // Id 0 is never sent: it is what some devices answer with whatever was asked (see Dispatch).
            transactionId = (ushort)Interlocked.Increment(ref nextTransactionId);
        }
        while (transactionId == 0 || !pending.TryAdd(transactionId, completion));

        if (failure is { } raced)
        {
            // The connection failed between the check above and the registration: Fail() may have missed this waiter.
            completion.TrySetException(raced);
        }

        try
        {
            var frame = new byte[MbapHeader.Size + requestPdu.Length];
            MbapHeader.Write(frame, transactionId, unitId, requestPdu.Length);
            requestPdu.Span.CopyTo(frame.AsSpan(MbapHeader.Size));
            await SendAsync(frame, cancellationToken).ConfigureAwait(false);

            byte[] response;
            try
            {
                response = await completion.Task.WaitAsync(timeout, timeProvider, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                throw new ModbusTimeoutException($"No answer from {peer} unit {unitId} to function 0x{requestPdu.Span[0]:X2} within {timeout.TotalMilliseconds:0} ms.", timeout);
            }

            if (response[0] != unitId)
            {
                throw new ModbusProtocolException($"Response from {peer} carries unit id {response[0]} for a request to unit {unitId} (Modbus Messaging on TCP/IP v1.0b §3.1.3: the server echoes the unit id).");
            }

            return response;
        }
        finally
        {
            pending.TryRemove(transactionId, out _);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Fail(new ModbusCommunicationException($"Connection to {peer} was closed by the client."));
        await readerLoop.ConfigureAwait(false);
        shutdown.Dispose();
        sendLock.Dispose();
    }

    private async Task SendAsync(byte[] frame, CancellationToken cancellationToken)
    {
        await sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfFaulted();
            int sent = 0;
            while (sent < frame.Length)
            {
                sent += await socket.SendAsync(frame.AsMemory(sent), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // A send cut short leaves half a frame on the wire; the stream cannot be trusted any more.
            var error = new ModbusCommunicationException($"Sending to {peer} failed: {ex.Message}", ex);
            Fail(error);
            if (ex is OperationCanceledException)
            {
                throw;
            }

            throw error;
        }
        finally
        {
            sendLock.Release();
        }
    }

    private async Task ReadLoopAsync()
    {
        var buffer = new byte[4096];
        int start = 0;
        int end = 0;
        try
        {
            while (true)
            {
                while (end - start >= MbapHeader.Size)
                {
                    var header = MbapHeader.Read(buffer.AsSpan(start));
                    if (header.Problem() is { } problem)
                    {
                        Fail(new ModbusProtocolException($"Bad frame from {peer}: {problem}"));
                        return;
                    }

                    int frameLength = MbapHeader.Size + header.PduLength;
                    if (end - start < frameLength)
                    {
                        break;
                    }

                    Dispatch(header, buffer.AsSpan(start + MbapHeader.Size - 1, header.Length));
                    start += frameLength;
                }

                if (start == end)
                {
                    start = end = 0;
                }
                else if (buffer.Length - end < 300)
                {
                    Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                    end -= start;
                    start = 0;
                }

                int read = await socket.ReceiveAsync(buffer.AsMemory(end), SocketFlags.None, shutdown.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    Fail(new ModbusCommunicationException($"{peer} closed the connection."));
                    return;
                }

                end += read;
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            Fail(new ModbusCommunicationException($"Connection to {peer} failed: {ex.Message}", ex));
        }
    }

    /// <param name="header">The frame's MBAP header.</param>
    /// <param name="unitAndPdu">Unit id followed by the PDU.</param>
    private void Dispatch(MbapHeader header, ReadOnlySpan<byte> unitAndPdu)
    {
        if (pending.TryRemove(header.TransactionId, out var completion))
        {
            completion.TrySetResult(unitAndPdu.ToArray());
        }
        else if (header.TransactionId == 0 && pending.Count == 1 && pending.Keys.FirstOrDefault() is var only && only != 0 && pending.TryRemove(only, out completion))
        {
            // Some devices answer every request with transaction id 0. With a single request in flight
            // the answer can only be for it; the caller still checks unit id and function code.
            completion.TrySetResult(unitAndPdu.ToArray());
        }
        else
        {
            Interlocked.Increment(ref staleResponses);
        }
    }

    private void Fail(Exception error)
    {
        if (Interlocked.CompareExchange(ref failure, error, null) is not null)
        {
            return;
        }

        shutdown.Cancel();
        socket.Dispose();
        foreach (var entry in pending)
        {
            entry.Value.TrySetException(error);
        }
    }

    private void ThrowIfFaulted()
    {
        if (failure is { } error)
        {
            throw error is ModbusException ? error : new ModbusCommunicationException(error.Message, error);
        }
    }
}
