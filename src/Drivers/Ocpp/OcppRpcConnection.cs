using System.Net.WebSockets;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Drivers.Ocpp;

/// <summary>
/// One OCPP-J session on a WebSocket, the same on both sides (the gateway's endpoint and a simulated station): it sends CALLs and
/// pairs their answers by message id, hands incoming CALLs to <see cref="CallHandler"/>, and checks every payload in both
/// directions against the official schema.
/// </summary>
/// <remarks>
/// <para>A malformed or unknown incoming CALL is answered with the CALLERROR the spec names (RpcFrameworkError, FormatViolation,
/// …, NotSupported/NotImplemented) and the session goes on; a malformed answer fails the pending CALL. Nothing a peer sends can
/// throw out of <see cref="RunAsync"/> but a closed socket.</para>
/// <para>One CALL at a time per direction, as OCPP-J asks: <see cref="CallAsync"/> queues the next behind the pending one. A late
/// answer finds no pending CALL and is dropped.</para>
/// </remarks>
public sealed class OcppRpcConnection : IAsyncDisposable
{
    private readonly WebSocket _socket;
    private readonly OcppRpcOptions _options;
    private readonly OcppSchemas _schemas = OcppSchemas.Instance;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly SemaphoreSlim _callLock = new(1, 1);
    private readonly object _gate = new();
    private (string Id, string Action, TaskCompletionSource<JsonObject> Answer)? _pending;
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _rejectedFrames;
    private string? _lastProblem;

    /// <summary>Creates a session on an open <paramref name="socket"/> that agreed on <paramref name="version"/>.</summary>
    /// <param name="socket">The WebSocket (server or client side).</param>
    /// <param name="version">The subprotocol both sides agreed on.</param>
    /// <param name="peer">Who is on the other side, for messages (the station id, or the CSMS URL).</param>
    /// <param name="options">Waits and limits.</param>
    /// <param name="logger">Receives refused frames.</param>
    public OcppRpcConnection(WebSocket socket, OcppVersion version, string peer, OcppRpcOptions? options = null, ILogger? logger = null)
    {
        _socket = socket;
        Version = version;
        Peer = peer;
        _options = (options ?? new OcppRpcOptions()).Validate();
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The agreed version.</summary>
    public OcppVersion Version { get; }

    /// <summary>Who is on the other side.</summary>
    public string Peer { get; }

    /// <summary>
    /// Answers incoming CALLs (already schema-checked) with the response payload. Throw <see cref="OcppCallErrorException"/> to answer
    /// with a CALLERROR; any other exception is answered with InternalError. Null: every CALL is answered NotImplemented.
    /// </summary>
    public Func<OcppCall, CancellationToken, ValueTask<JsonObject>>? CallHandler { get; set; }

    /// <summary>Frames refused (not OCPP-J, failing their schema, or answers to no pending CALL).</summary>
    public long RejectedFrames => Interlocked.Read(ref _rejectedFrames);

    /// <summary>The last refused frame's problem in words, or null.</summary>
    public string? LastProblem
    {
        get { lock (_gate) return _lastProblem; }
    }

    /// <summary>Completes when the session has ended.</summary>
    public Task Closed => _closed.Task;

    /// <summary>Whether the socket is still open.</summary>
    public bool IsOpen => _socket.State == WebSocketState.Open && !_closed.Task.IsCompleted;

    /// <summary>Receives and dispatches frames until the peer closes, the socket breaks or <paramref name="cancellationToken"/> fires.</summary>
    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        var buffer = new byte[_options.MaxFrameBytes];
        try
        {
            while (_socket.State == WebSocketState.Open && !cancellationToken.IsCancellationRequested)
            {
                var length = 0;
                WebSocketReceiveResult result;
                do
                {
                    if (length == buffer.Length)
                    {
                        await CloseAsync(WebSocketCloseStatus.MessageTooBig, $"frames larger than {buffer.Length} bytes are refused", cancellationToken).ConfigureAwait(false);
                        Problem($"{Peer} sent a frame larger than {buffer.Length} bytes; connection closed");
                        return;
                    }
                    result = await _socket.ReceiveAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false) switch
                    {
                        var r => new WebSocketReceiveResult(r.Count, r.MessageType, r.EndOfMessage),
                    };
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        if (_socket.State == WebSocketState.CloseReceived)
                            await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None).ConfigureAwait(false);
                        return;
                    }
                    length += result.Count;
                } while (!result.EndOfMessage);
                if (result.MessageType != WebSocketMessageType.Text)
                {
                    Problem($"{Peer} sent a binary frame; OCPP-J frames are text");
                    await SendAsync(new OcppCallError("-1", OcppErrorCode.RpcFrameworkError, "OCPP-J frames are text, not binary"), cancellationToken).ConfigureAwait(false);
                    continue;
                }
                await DispatchAsync(buffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The socket broke or the session was stopped: the pending CALL fails below.
        }
        finally
        {
            End(new OcppCommunicationException($"the OCPP connection to {Peer} is closed"));
        }
    }

    /// <summary>Sends a CALL and waits for its answer; the request and the response are checked against their schemas.</summary>
    /// <exception cref="OcppCallErrorException">The peer answered with a CALLERROR, or its answer does not satisfy the schema.</exception>
    /// <exception cref="OcppTimeoutException">No answer within the call timeout.</exception>
    /// <exception cref="OcppCommunicationException">The connection is closed.</exception>
    /// <exception cref="ArgumentException">The request does not satisfy its schema (a bug of ours, never sent).</exception>
    public async Task<JsonObject> CallAsync(string action, JsonObject payload, CancellationToken cancellationToken = default)
    {
        if (_schemas.Validate(Version, action, request: true, payload) is { } bad)
            throw new ArgumentException($"refusing to send {action} to {Peer}: {bad.Description}", nameof(payload));
        await _callLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!IsOpen) throw new OcppCommunicationException($"the OCPP connection to {Peer} is closed");
            var id = OcppFrameCodec.NewMessageId();
            var answer = new TaskCompletionSource<JsonObject>(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_gate) _pending = (id, action, answer);
            try
            {
                using var timeout = new CancellationTokenSource(_options.CallTimeout, _options.WaitTimeProvider);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
                try
                {
                    await SendAsync(new OcppCall(id, action, payload), linked.Token).ConfigureAwait(false);
                    return await answer.Task.WaitAsync(linked.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    throw new OcppTimeoutException($"{Peer} did not answer {action} within {_options.CallTimeout.TotalSeconds:0.###} s");
                }
                catch (Exception e) when (e is WebSocketException or ObjectDisposedException)
                {
                    throw new OcppCommunicationException($"cannot send {action} to {Peer}: {e.Message}", e);
                }
            }
            finally
            {
                lock (_gate) _pending = null;
            }
        }
        finally
        {
            _callLock.Release();
        }
    }

    /// <summary>Closes the session with <paramref name="status"/>.</summary>
    public async Task CloseAsync(WebSocketCloseStatus status = WebSocketCloseStatus.NormalClosure, string reason = "closing", CancellationToken cancellationToken = default)
    {
        try
        {
            if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(TimeSpan.FromSeconds(2));
                await _socket.CloseOutputAsync(status, reason, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
        }
        End(new OcppCommunicationException($"the OCPP connection to {Peer} is closed"));
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await CloseAsync().ConfigureAwait(false);
        _socket.Dispose();
    }

    private async Task DispatchAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        OcppMessage message;
        try
        {
            message = OcppFrameCodec.Parse(frame.Span, Version);
        }
        catch (OcppFrameException e)
        {
            Problem($"{Peer}: {e.Message}");
            if (e.Answerable) await SendAsync(e.ToCallError(), cancellationToken).ConfigureAwait(false);
            else FailPending(e.MessageId, new OcppCallErrorException(PendingAction(e.MessageId), e.ErrorCode, e.Message));
            return;
        }
        switch (message)
        {
            case OcppCall call:
                await AnswerAsync(call, cancellationToken).ConfigureAwait(false);
                break;
            case OcppCallResult result:
            {
                var pending = TakePending(result.MessageId);
                if (pending is null) { Problem($"{Peer} answered message {result.MessageId}, which is not pending (late or unknown); dropped"); return; }
                var (_, action, answer) = pending.Value;
                if (_schemas.Validate(Version, action, request: false, result.Payload) is { } bad)
                {
                    Problem($"{Peer}: {bad.Description}");
                    answer.TrySetException(new OcppCallErrorException(action, bad.ErrorCode, bad.Description));
                }
                else answer.TrySetResult(result.Payload);
                break;
            }
            case OcppCallError error:
            {
                var pending = TakePending(error.MessageId);
                if (pending is null) { Problem($"{Peer} sent {error.ErrorCode} for message {error.MessageId}, which is not pending; dropped"); return; }
                pending.Value.Answer.TrySetException(new OcppCallErrorException(pending.Value.Action, error.ErrorCode, error.Description));
                break;
            }
        }
    }

    private async Task AnswerAsync(OcppCall call, CancellationToken cancellationToken)
    {
        OcppMessage reply;
        if (_schemas.Validate(Version, call.Action, request: true, call.Payload) is { } bad)
        {
            Problem($"{Peer}: {bad.Description}");
            reply = new OcppCallError(call.MessageId, bad.ErrorCode, OcppFrameCodec.Truncate(bad.Description, OcppCallError.MaxDescriptionLength));
        }
        else if (CallHandler is not { } handler)
            reply = new OcppCallError(call.MessageId, OcppErrorCode.NotImplemented, $"{call.Action} is not handled here");
        else
        {
            try
            {
                var response = await handler(call, cancellationToken).ConfigureAwait(false);
                if (_schemas.Validate(Version, call.Action, request: false, response) is { } wrong)
                {
                    _logger.LogError("our answer to {Action} from {Peer} breaks its schema: {Problem}", call.Action, Peer, wrong.Description);
                    reply = new OcppCallError(call.MessageId, OcppErrorCode.InternalError, "the answer failed its own schema check");
                }
                else reply = new OcppCallResult(call.MessageId, response);
            }
            catch (OcppCallErrorException e)
            {
                reply = new OcppCallError(call.MessageId, e.ErrorCode, OcppFrameCodec.Truncate(e.Description, OcppCallError.MaxDescriptionLength));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _logger.LogError(e, "handling {Action} from {Peer} failed", call.Action, Peer);
                reply = new OcppCallError(call.MessageId, OcppErrorCode.InternalError, $"{call.Action} could not be handled");
            }
        }
        if (call.IsSend) return;
        await SendAsync(reply, cancellationToken).ConfigureAwait(false);
    }

    private async Task SendAsync(OcppMessage message, CancellationToken cancellationToken)
    {
        var bytes = OcppFrameCodec.Encode(message);
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private (string Id, string Action, TaskCompletionSource<JsonObject> Answer)? TakePending(string id)
    {
        lock (_gate)
        {
            if (_pending is not { } p || p.Id != id) return null;
            _pending = null;
            return p;
        }
    }

    private string PendingAction(string id)
    {
        lock (_gate) return _pending is { } p && p.Id == id ? p.Action : "a call";
    }

    private void FailPending(string id, Exception error)
    {
        if (TakePending(id) is { } p) p.Answer.TrySetException(error);
    }

    private void End(Exception error)
    {
        lock (_gate)
        {
            _pending?.Answer.TrySetException(error);
            _pending = null;
        }
        _closed.TrySetResult();
    }

    private void Problem(string text)
    {
        Interlocked.Increment(ref _rejectedFrames);
        lock (_gate) _lastProblem = text;
        _logger.LogWarning("OCPP: {Problem}", text);
    }
}
