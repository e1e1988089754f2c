using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Threading.Tasks.Sources;

namespace Gateway.Drivers.Modbus.Tcp;

/// <summary>
/// One live TCP connection of a client. A receive loop on a thread of its own parses MBAP
/// frames and hands each response to the request waiting for its transaction id; a response
/// whose id nobody waits for any more (its request timed out or was cancelled) is dropped, so a
/// late reply can never answer the next request. Any I/O or framing error poisons the
/// connection: every waiter fails and the owning transport opens a fresh one for the next request.
/// </summary>
/// <remarks>
/// Why a thread of its own and not an async receive loop: with one request in flight, an async
/// receive wakes the runtime's epoll thread, which queues the completion to a thread-pool worker,
/// which then spins looking for more work — two wake-ups and a spin per read. On a busy machine
/// each wake-up waits for a time slice, and the spinning burns CPU on an idle one. Here the kernel
/// wakes the receive thread directly out of recv(2) (one wake-up, as for a blocking C client); the
/// caller's continuation runs on it and sends the next request synchronously (a frame of a few
/// bytes that the socket's send buffer takes at once). The cost is one mostly-sleeping thread per
/// open connection — the gateway opens one per endpoint. Callers' code after an await therefore
/// runs on this thread until its next await and must not block (it never does in async I/O code).
/// Timeouts share one timer per connection: it is armed for the oldest request's deadline and
/// re-armed when it fires, instead of a timer per request. A connection on which
/// <see cref="ModbusClientOptions.ReconnectAfterSilentTimeouts"/> requests in a row timed out with
/// not one byte back is taken for half-open (peer gone without FIN or reset) and failed.
/// </remarks>
internal sealed class ModbusTcpConnection : IAsyncDisposable
{
    // Completed requests kept for reuse; more than the largest pipelining window is never needed.
    private const int MaxSpareRequests = 256;

    private readonly string _peer;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _timeProvider;
    private readonly Lock _sync = new();
    private readonly Dictionary<ushort, PendingRequest> _pending = [];
    private readonly Stack<PendingRequest> _spare = new();
    private readonly Lock _sendLock = new();
    private readonly ITimer _deadlineTimer;
    private readonly TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _receiverExited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly int _silentTimeoutLimit;
    private volatile Socket? _socket;
    private bool _timerArmed;
    private int _silentTimeouts;
    private long _lastReceiveTimestamp;
    private int _nextTransactionId;
    private volatile Exception? _failure;
    private long _staleResponses;

    private ModbusTcpConnection(string peer, ModbusClientOptions options)
    {
        this._peer = peer;
        _timeout = options.RequestTimeout;
        _timeProvider = options.TimeProvider;
        _silentTimeoutLimit = options.ReconnectAfterSilentTimeouts;
        _deadlineTimer = _timeProvider.CreateTimer(static state => ((ModbusTcpConnection)state!).ExpireOverdue(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>
    /// Connects to the first of <paramref name="addresses"/> that accepts, within
    /// <see cref="ModbusClientOptions.ConnectTimeout"/>, and starts the receive thread.
    /// </summary>
    /// <exception cref="ModbusCommunicationException">No address accepted in time (unreachable).</exception>
    public static async Task<ModbusTcpConnection> OpenAsync(IPAddress[] addresses, int port, string peer, ModbusClientOptions options, CancellationToken cancellationToken)
    {
        var connection = new ModbusTcpConnection(peer, options);
        // The socket is never handed to the runtime's async socket engine (no ConnectAsync): once registered with its
        // epoll, every arriving answer would wake the engine and a thread-pool worker even though nobody waits there.
        new Thread(() => connection.Run(addresses, port)) { IsBackground = true, Name = "Modbus TCP receive" }.Start();
        using var connectTimeout = new CancellationTokenSource(options.ConnectTimeout, options.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(connectTimeout.Token, cancellationToken);
        try
        {
            await connection._connected.Task.WaitAsync(linked.Token).ConfigureAwait(false);
            return connection;
        }
        catch (OperationCanceledException) when (connectTimeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw new ModbusCommunicationException($"Cannot connect to {peer}: no answer within {options.ConnectTimeout.TotalMilliseconds:0} ms (unreachable).");
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>True once the connection failed; the transport then replaces it.</summary>
    public bool IsFaulted => _failure is not null;

    /// <summary>Responses dropped because no request waited for their transaction id any more.</summary>
    public long StaleResponses => Interlocked.Read(ref _staleResponses);

    /// <summary>Sends one request and returns the answer's unit id followed by its PDU.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<byte[]> TransactAsync(byte unitId, ReadOnlyMemory<byte> requestPdu, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var request = Register(unitId, requestPdu.Span[0]);
        byte[] response;
        using (cancellationToken.CanBeCanceled ? cancellationToken.UnsafeRegister(static (state, token) => ((PendingRequest)state!).Cancel(token), request) : default)
        {
            Send(request.TransactionId, unitId, requestPdu.Span);
            response = await new ValueTask<byte[]>(request, request.Version).ConfigureAwait(false);
        }

        // Completed (by its answer, timeout, cancellation or failure) and its cancellation callback gone: reusable.
        Return(request);
        if (response[0] != unitId)
        {
            throw new ModbusProtocolException($"Response from {_peer} carries unit id {response[0]} for a request to unit {unitId} (Modbus Messaging on TCP/IP v1.0b §3.1.3: the server echoes the unit id).");
        }

        return response;
    }

    public async ValueTask DisposeAsync()
    {
        Fail(new ModbusCommunicationException($"Connection to {_peer} was closed by the client."));
        // Called on the receive thread itself (a caller disposing in its continuation), this returns and the thread ends after it.
        await _receiverExited.Task.ConfigureAwait(false);
    }

    private PendingRequest Register(byte unitId, byte functionCode)
    {
        PendingRequest request;
        lock (_sync)
        {
            // Checked under the lock: Fail() sets the failure before it collects the waiters under the same lock,
            // so a request is either refused here or collected and failed there.
            ThrowIfFaulted();
            request = _spare.Count > 0 ? _spare.Pop() : new PendingRequest(this);
            ushort transactionId;
            do
            {
                // Id 0 is never sent: it is what some devices answer with whatever was asked (see Dispatch).
                transactionId = (ushort)++_nextTransactionId;
            }
            while (transactionId == 0 || _pending.ContainsKey(transactionId));

            request.Start(transactionId, unitId, functionCode, _timeProvider.GetTimestamp());
            _pending.Add(transactionId, request);
            if (!_timerArmed)
            {
                // Every request has the same timeout, so a timer armed earlier fires no later than this one's deadline.
                _timerArmed = true;
                _deadlineTimer.Change(_timeout, Timeout.InfiniteTimeSpan);
            }
        }

        return request;
    }

    private void Return(PendingRequest request)
    {
        lock (_sync)
        {
            if (_spare.Count < MaxSpareRequests)
            {
                _spare.Push(request);
            }
        }
    }

    /// <summary>Takes a request out of the pending table; true for exactly one caller, who then completes it.</summary>
    private bool TryTake(PendingRequest request)
    {
        lock (_sync)
        {
            return _pending.TryGetValue(request.TransactionId, out var current) && current == request && _pending.Remove(request.TransactionId);
        }
    }

    private void Send(ushort transactionId, byte unitId, ReadOnlySpan<byte> pdu)
    {
        Span<byte> frame = stackalloc byte[MbapHeader.Size + ModbusLimits.MaxPduLength];
        frame = frame[..(MbapHeader.Size + pdu.Length)];
        MbapHeader.Write(frame, transactionId, unitId, pdu.Length);
        pdu.CopyTo(frame[MbapHeader.Size..]);
        SocketError error = SocketError.Success;
        lock (_sendLock)
        {
            ThrowIfFaulted();
            try
            {
                // A frame is at most 260 bytes: the send buffer takes it at once unless the peer stopped reading
                // while many requests were pipelined; then SendTimeout bounds the wait.
                var current = _socket!;
                while (!frame.IsEmpty && error == SocketError.Success)
                {
                    int sent = current.Send(frame, SocketFlags.None, out error);
                    frame = frame[sent..];
                }
            }
            catch (ObjectDisposedException)
            {
                error = SocketError.Shutdown;
            }
        }

        if (error != SocketError.Success)
        {
            // A send cut short leaves half a frame on the wire; the stream cannot be trusted any more.
            var exception = new ModbusCommunicationException($"Sending to {_peer} failed: {new SocketException((int)error).Message}");
            Fail(exception);
            throw exception;
        }
    }

    private void Run(IPAddress[] addresses, int port)
    {
        try
        {
            if (Connect(addresses, port) is { } connectedSocket)
            {
                _connected.TrySetResult();
                ReceiveLoop(connectedSocket);
            }
        }
        finally
        {
            _receiverExited.TrySetResult();
        }
    }

    private Socket? Connect(IPAddress[] addresses, int port)
    {
        SocketException? lastError = null;
        foreach (var address in addresses)
        {
            // Blocking throughout: the receive thread sleeps in recv(2) itself, and a send (a frame of at most 260 bytes)
            // finds room in the send buffer or waits at most the request timeout for it.
            var candidate = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp)
            {
                NoDelay = true,
                SendTimeout = (int)Math.Clamp(_timeout.TotalMilliseconds, 1, int.MaxValue),
            };
            _socket = candidate;
            if (_failure is not null)
            {
                candidate.Dispose();
                return null;
            }

            try
            {
                // Abandoned (timeout, cancellation, dispose), Fail() shuts the socket down, which ends a blocked connect(2).
                candidate.Connect(new IPEndPoint(address, port));
                return candidate;
            }
            catch (SocketException ex)
            {
                candidate.Dispose();
                if (_failure is not null)
                {
                    return null;
                }

                lastError = ex;
            }
            catch (ObjectDisposedException)
            {
                // Abandoned (timeout, cancellation, dispose) while connecting.
                return null;
            }
        }

        var exception = new ModbusCommunicationException($"Cannot connect to {_peer}: {lastError?.Message ?? "no address"} (unreachable).", lastError);
        Fail(exception);
        _connected.TrySetException(exception);
        return null;
    }

    private void ReceiveLoop(Socket socket)
    {
        var buffer = new byte[4096];
        int start = 0;
        int end = 0;
        try
        {
            while (_failure is null)
            {
                while (end - start >= MbapHeader.Size)
                {
                    var header = MbapHeader.Read(buffer.AsSpan(start));
                    if (header.Problem() is { } problem)
                    {
                        Fail(new ModbusProtocolException($"Bad frame from {_peer}: {problem}"));
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

                MbapHeader.MakeRoomForFrame(buffer, ref start, ref end);

                // A blocking receive straight on the descriptor: the kernel wakes this thread when bytes arrive, with no
                // detour through the runtime's socket engine and thread pool; Fail() ends it with shutdown(2).
                int read = socket.Receive(buffer, end, buffer.Length - end, SocketFlags.None, out var error);
                if (error is SocketError.WouldBlock or SocketError.Interrupted)
                {
                    continue;
                }

                if (error != SocketError.Success)
                {
                    Fail(new ModbusCommunicationException($"Connection to {_peer} failed: {new SocketException((int)error).Message}"));
                    return;
                }

                if (read == 0)
                {
                    Fail(new ModbusCommunicationException($"{_peer} closed the connection."));
                    return;
                }

                Volatile.Write(ref _lastReceiveTimestamp, _timeProvider.GetTimestamp());
                end += read;
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            Fail(new ModbusCommunicationException($"Connection to {_peer} failed: {ex.Message}", ex));
        }
    }

    /// <param name="header">The frame's MBAP header.</param>
    /// <param name="unitAndPdu">Unit id followed by the PDU.</param>
    private void Dispatch(MbapHeader header, ReadOnlySpan<byte> unitAndPdu)
    {
        PendingRequest? request;
        lock (_sync)
        {
            // Any frame shows the peer alive: the count of silent timeouts starts over.
            _silentTimeouts = 0;
            if (!_pending.Remove(header.TransactionId, out request)
                && header.TransactionId == 0 && _pending.Count == 1)
            {
                // Some devices answer every request with transaction id 0. With a single request in flight
                // the answer can only be for it; the caller still checks unit id and function code.
                ushort only = _pending.Keys.First();
                _pending.Remove(only, out request);
            }
        }

        // Completed outside the lock: the caller's continuation runs right here and registers its next request.
        if (request is null)
        {
            Interlocked.Increment(ref _staleResponses);
        }
        else
        {
            request.Complete(unitAndPdu.ToArray());
        }
    }

    private void ExpireOverdue()
    {
        List<PendingRequest>? overdue = null;
        lock (_sync)
        {
            TimeSpan nextDue = Timeout.InfiniteTimeSpan;
            List<ushort>? overdueIds = null;
            foreach (var (id, request) in _pending)
            {
                var waited = _timeProvider.GetElapsedTime(request.StartTimestamp);
                if (waited >= _timeout)
                {
                    (overdueIds ??= []).Add(id);
                    (overdue ??= []).Add(request);
                }
                else if (nextDue == Timeout.InfiniteTimeSpan || _timeout - waited < nextDue)
                {
                    nextDue = _timeout - waited;
                }
            }

            foreach (var id in overdueIds ?? [])
            {
                _pending.Remove(id);
            }

            long lastReceived = Volatile.Read(ref _lastReceiveTimestamp);
            foreach (var request in overdue ?? [])
            {
                // Silent: nothing at all arrived since this request went out. Anything that arrived resets the count.
                _silentTimeouts = lastReceived < request.StartTimestamp ? _silentTimeouts + 1 : 0;
            }

            _timerArmed = nextDue != Timeout.InfiniteTimeSpan && _failure is null;
            if (_timerArmed)
            {
                _deadlineTimer.Change(nextDue, Timeout.InfiniteTimeSpan);
            }
        }

        int silent;
        lock (_sync)
        {
            silent = _silentTimeouts;
        }

        if (silent >= _silentTimeoutLimit)
        {
            // A half-open connection (peer gone without FIN or reset, path cut) never fails by itself: drop it before
            // the callers learn of their timeouts, so that their next request already connects afresh.
            Fail(new ModbusCommunicationException($"Connection to {_peer} considered dead: {silent} requests in a row got no byte back within {_timeout.TotalMilliseconds:0} ms; the next request reconnects."));
        }

        foreach (var request in overdue ?? [])
        {
            request.Fail(new ModbusTimeoutException(
                $"No answer from {_peer} unit {request.UnitId} to function 0x{request.FunctionCode:X2} within {_timeout.TotalMilliseconds:0} ms.", _timeout));
        }
    }

    private void Fail(Exception error)
    {
        if (Interlocked.CompareExchange(ref _failure, error, null) is not null)
        {
            return;
        }

        _connected.TrySetException(error);
        if (_socket is { } current)
        {
            try
            {
                // Wakes the receive thread out of recv(2) at once; closing the descriptor alone would not.
                current.Shutdown(SocketShutdown.Both);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
            }

            current.Dispose();
        }
        PendingRequest[] waiting;
        lock (_sync)
        {
            // Under the lock: Register and ExpireOverdue arm the timer only while no failure is set.
            _deadlineTimer.Dispose();
            waiting = [.. _pending.Values];
            _pending.Clear();
        }

        foreach (var request in waiting)
        {
            request.Fail(error);
        }
    }

    private void ThrowIfFaulted()
    {
        if (_failure is { } error)
        {
            throw error is ModbusException ? error : new ModbusCommunicationException(error.Message, error);
        }
    }

    /// <summary>
    /// A request waiting for its answer, awaited as a <see cref="ValueTask{TResult}"/> and reused for later requests
    /// (no allocation per read). Exactly one party completes it: whoever takes it out of the pending table under the
    /// lock (the answer, the deadline timer, a cancellation, or a connection failure).
    /// </summary>
    private sealed class PendingRequest(ModbusTcpConnection owner) : IValueTaskSource<byte[]>
    {
        // RunContinuationsAsynchronously stays false: the caller resumes on the completing thread (the receive thread
        // for an answer), without a thread hop.
        private ManualResetValueTaskSourceCore<byte[]> _core;

        public ushort TransactionId { get; private set; }

        public byte UnitId { get; private set; }

        public byte FunctionCode { get; private set; }

        public long StartTimestamp { get; private set; }

        public short Version => _core.Version;

        public void Start(ushort transactionId, byte unitId, byte functionCode, long startTimestamp)
        {
            _core.Reset();
            TransactionId = transactionId;
            UnitId = unitId;
            FunctionCode = functionCode;
            StartTimestamp = startTimestamp;
        }

        public void Complete(byte[] response) => _core.SetResult(response);

        public void Fail(Exception error) => _core.SetException(error);

        public void Cancel(CancellationToken token)
        {
            if (owner.TryTake(this))
            {
                Fail(new OperationCanceledException(token));
            }
        }

        public byte[] GetResult(short token) => _core.GetResult(token);

        public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

        public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
            => _core.OnCompleted(continuation, state, token, flags);
    }
}
