using System.Text;
using System.Threading.Channels;
using Gateway.Drivers.Mqtt.Channel;
using Gateway.Drivers.Mqtt.Client;
using Gateway.Drivers.Mqtt.Codec;
using Gateway.Drivers.Mqtt.Packets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.Retry;

namespace Gateway.Drivers.Mqtt;

/// <summary>
/// The project's MQTT 3.1.1 client. One instance owns one session with the broker and keeps it alive:
/// keep-alive pings, automatic reconnect (a Polly retry with exponential backoff and jitter), and on reconnect
/// it restores subscriptions the broker forgot and resends every unacknowledged QoS 1/2 message with DUP = 1,
/// so no acknowledged-at-least-once message is lost across a broker restart.
/// </summary>
/// <remarks>
/// Received messages go to the handlers of every matching subscription, one message at a time in arrival order;
/// messages no handler takes go to <see cref="ReceivedMessages"/>. Malformed packets from the broker close the
/// connection with an <see cref="MqttProtocolException"/> naming the violated clause; the client then reconnects.
/// </remarks>
public sealed class MqttClient : IMqttClient
{
    private const int ReceivedMessagesCapacity = 10_000;

    private readonly MqttClientOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly IMqttChannelFactory _channelFactory;
    private readonly MqttPacketCodec _codec;
    private readonly MqttPacketDispatcher _dispatcher = new();
    private readonly ResiliencePipeline _reconnectPipeline;
    private readonly SemaphoreSlim _pendingSlots;
    private readonly object _gate = new();
    private readonly Dictionary<ushort, MqttOutgoingPublish> _inflight = new();
    private readonly Queue<MqttOutgoingPublish> _unsent = new();
    private readonly SemaphoreSlim _sendOrder = new(1, 1);
    private readonly HashSet<ushort> _idsInUse = new();
    private readonly List<ushort> _quarantinedIds = new();
    private readonly Dictionary<string, MqttSubscriptionEntry> _subscriptions = new(StringComparer.Ordinal);
    private readonly HashSet<ushort> _incomingQos2 = new();
    private readonly Channel<MqttInboundDelivery> _deliveries = System.Threading.Channels.Channel.CreateUnbounded<MqttInboundDelivery>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Channel<MqttApplicationMessage> _received = System.Threading.Channels.Channel.CreateBounded<MqttApplicationMessage>(new BoundedChannelOptions(ReceivedMessagesCapacity) { SingleWriter = true });
    private readonly CancellationTokenSource _disposed = new();
    private readonly Task _deliveryTask;
    private MqttPacketConnection? _connection;
    private MqttConnectionState _state = MqttConnectionState.Disconnected;
    private CancellationTokenSource _session = new();
    private Task _reconnectTask = Task.CompletedTask;
    private ushort _lastPacketId;
    private long _nextSequence;
    private int _inflightOnConnection;
    private long _pingResponses;

    /// <summary>Create a client; nothing is sent until <see cref="ConnectAsync"/>.</summary>
    /// <param name="options">Validated here; an invalid setting throws <see cref="ArgumentException"/> naming it.</param>
    /// <param name="timeProvider">Clock for keep-alive, timeouts and backoff; the system clock by default.</param>
    /// <param name="logger">Receives connection events and handler failures.</param>
    /// <param name="channelFactory">How to open the byte stream; TCP/TLS by default, in-memory in tests.</param>
    public MqttClient(MqttClientOptions options, TimeProvider? timeProvider = null, ILogger? logger = null, IMqttChannelFactory? channelFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _channelFactory = channelFactory ?? MqttTcpChannelFactory.Instance;
        _codec = new MqttPacketCodec(options.MaxIncomingPacketSize);
        _pendingSlots = new SemaphoreSlim(options.MaxPendingMessages, options.MaxPendingMessages);
        _reconnectPipeline = BuildReconnectPipeline(options.Reconnect);
        _deliveryTask = DeliverLoopAsync();
    }

    /// <inheritdoc />
    public MqttConnectionState State
    {
        get { lock (_gate) return _state; }
    }

    /// <summary>The options this client runs with.</summary>
    public MqttClientOptions Options => _options;

    /// <summary>Messages on subscriptions without a handler (bounded; read it, or the client stops acknowledging).</summary>
    public ChannelReader<MqttApplicationMessage> ReceivedMessages => _received.Reader;

    /// <summary>QoS 1/2 messages published but not yet acknowledged (sent or waiting for a connection).</summary>
    public int PendingMessageCount
    {
        get { lock (_gate) return _inflight.Count; }
    }

    /// <summary>PINGRESP packets received so far (the keep-alive is working).</summary>
    public long PingResponsesReceived => Interlocked.Read(ref _pingResponses);

    /// <inheritdoc />
    public event EventHandler<MqttConnectionStateChangedEventArgs>? ConnectionStateChanged;

    /// <inheritdoc />
    public async Task ConnectAsync(CancellationToken cancellationToken = default)
    {
        CancellationToken sessionToken;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_state == MqttConnectionState.Disposed, this);
            if (_state != MqttConnectionState.Disconnected)
                throw new InvalidOperationException($"ConnectAsync needs a disconnected client; it is {_state}");
            _state = MqttConnectionState.Connecting;
            if (_session.IsCancellationRequested)
            {
                _session.Dispose();
                _session = new CancellationTokenSource();
            }
            sessionToken = _session.Token;
        }
        RaiseStateChanged(MqttConnectionState.Connecting, null, false);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, sessionToken);
        try
        {
            await EstablishAsync(linked.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            var changed = false;
            lock (_gate)
            {
                if (_state == MqttConnectionState.Connecting)
                {
                    _state = MqttConnectionState.Disconnected;
                    changed = true;
                }
            }
            if (changed) RaiseStateChanged(MqttConnectionState.Disconnected, ex, false);
            throw;
        }
    }

    /// <inheritdoc />
    public async Task DisconnectAsync(CancellationToken cancellationToken = default)
    {
        MqttPacketConnection? connection;
        Task reconnect;
        lock (_gate)
        {
            if (_state is MqttConnectionState.Disconnected or MqttConnectionState.Disposed) return;
            _session.Cancel();
            connection = _connection;
            _connection = null;
            _state = MqttConnectionState.Disconnected;
            reconnect = _reconnectTask;
        }
        if (connection is not null)
        {
            try
            {
                await connection.SendAsync(MqttDisconnectPacket.Instance, cancellationToken).ConfigureAwait(false);
            }
            catch (MqttCommunicationException)
            {
                // Already gone: the broker will publish the will, which is the truth anyway.
            }
            await connection.DisposeAsync().ConfigureAwait(false);
        }
        try
        {
            await reconnect.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The reconnect loop was cancelled by the Cancel above.
        }
        var reason = new MqttCommunicationException("the client disconnected");
        _dispatcher.FailAll(reason, MqttPacketType.SubAck, MqttPacketType.UnsubAck);
        // A persistent session keeps unacknowledged messages for the next ConnectAsync; a clean one would drop them anyway.
        if (_options.CleanSession) FailPendingPublishes(new MqttCommunicationException("the client disconnected before the broker acknowledged the message"));
        RaiseStateChanged(MqttConnectionState.Disconnected, null, false);
    }

    /// <inheritdoc />
    public async Task PublishAsync(string topic, ReadOnlyMemory<byte> payload, MqttQos qos, bool retain, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topic);
        if (MqttTopic.CheckTopicName(topic) is { } topicError) throw new ArgumentException(topicError, nameof(topic));
        if ((int)qos > 2) throw new ArgumentOutOfRangeException(nameof(qos), qos, "QoS must be 0, 1 or 2");
        if (Encoding.UTF8.GetByteCount(topic) > ushort.MaxValue) throw new ArgumentException("topic is longer than 65535 bytes of UTF-8", nameof(topic));

        if (qos == MqttQos.AtMostOnce)
        {
            var connection = Volatile.Read(ref _connection)
                ?? throw new MqttCommunicationException($"not connected ({State}): QoS 0 messages are not queued while disconnected");
            await connection.SendAsync(new MqttPublishPacket { Topic = topic, Payload = payload, Qos = qos, Retain = retain }, cancellationToken).ConfigureAwait(false);
            return;
        }

        await _pendingSlots.WaitAsync(cancellationToken).ConfigureAwait(false);
        Task<MqttPacket> acknowledged;
        lock (_gate)
        {
            if (_state is MqttConnectionState.Disconnected or MqttConnectionState.Disposed)
            {
                _pendingSlots.Release();
                ObjectDisposedException.ThrowIf(_state == MqttConnectionState.Disposed, this);
                throw new MqttCommunicationException("not connected: call ConnectAsync first (QoS 1/2 messages are queued only while reconnecting)");
            }
            var id = AllocatePacketId();
            // The caller may reuse its buffer once the task completes or is abandoned; we may resend later.
            var packet = new MqttPublishPacket { Topic = topic, Payload = payload.ToArray(), Qos = qos, Retain = retain, PacketId = id };
            var entry = new MqttOutgoingPublish(packet, _nextSequence++);
            _inflight.Add(id, entry);
            _unsent.Enqueue(entry);
            acknowledged = _dispatcher.Expect(qos == MqttQos.AtLeastOnce ? MqttPacketType.PubAck : MqttPacketType.PubComp, id);
        }
        await SendUnsentAsync().ConfigureAwait(false);
        await acknowledged.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<MqttSubscribeReturnCode>> SubscribeAsync(IReadOnlyList<MqttTopicSubscription> subscriptions, CancellationToken cancellationToken = default)
    {
        ValidateSubscriptions(subscriptions);
        var added = Register(subscriptions, handler: null);
        try
        {
            var codes = await SendSubscribeAsync(subscriptions, cancellationToken).ConfigureAwait(false);
            lock (_gate)
            {
                for (var i = 0; i < codes.Count; i++)
                {
                    if (codes[i] == MqttSubscribeReturnCode.Failure && added[i]) _subscriptions.Remove(subscriptions[i].TopicFilter);
                    else if (codes[i] != MqttSubscribeReturnCode.Failure) _subscriptions[subscriptions[i].TopicFilter].Qos = subscriptions[i].Qos;
                }
            }
            return codes;
        }
        catch
        {
            Unregister(subscriptions, added, handler: null);
            throw;
        }
    }

    /// <summary>Subscribe to one filter without a handler; matching messages go to <see cref="ReceivedMessages"/>.</summary>
    /// <returns>The QoS the broker granted.</returns>
    /// <exception cref="MqttSubscribeException">The broker refused the subscription.</exception>
    public async Task<MqttQos> SubscribeAsync(string topicFilter, MqttQos qos, CancellationToken cancellationToken = default)
    {
        var codes = await SubscribeAsync([new MqttTopicSubscription(topicFilter, qos)], cancellationToken).ConfigureAwait(false);
        if (codes[0] == MqttSubscribeReturnCode.Failure) throw new MqttSubscribeException(topicFilter);
        return (MqttQos)codes[0];
    }

    /// <inheritdoc />
    public async Task<MqttQos> SubscribeAsync(string topicFilter, MqttQos qos, MqttMessageHandler handler, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(handler);
        MqttTopicSubscription[] subscriptions = [new MqttTopicSubscription(topicFilter, qos)];
        ValidateSubscriptions(subscriptions);
        // The handler is in place before SUBSCRIBE leaves, so retained messages right after SUBACK reach it.
        var added = Register(subscriptions, handler);
        IReadOnlyList<MqttSubscribeReturnCode> codes;
        try
        {
            codes = await SendSubscribeAsync(subscriptions, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Unregister(subscriptions, added, handler);
            throw;
        }
        if (codes[0] == MqttSubscribeReturnCode.Failure)
        {
            Unregister(subscriptions, added, handler);
            throw new MqttSubscribeException(topicFilter);
        }
        return (MqttQos)codes[0];
    }

    /// <inheritdoc />
    public async Task UnsubscribeAsync(IReadOnlyList<string> topicFilters, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topicFilters);
        if (topicFilters.Count == 0) throw new ArgumentException("at least one topic filter is needed [MQTT-3.10.3-2]", nameof(topicFilters));
        foreach (var filter in topicFilters)
        {
            if (MqttTopic.CheckTopicFilter(filter) is { } error) throw new ArgumentException(error, nameof(topicFilters));
        }
        var connection = RequireConnection();
        ushort id;
        Task<MqttPacket> acknowledged;
        lock (_gate)
        {
            id = AllocatePacketId();
            acknowledged = _dispatcher.Expect(MqttPacketType.UnsubAck, id);
        }
        await SendAndAwaitAckAsync(connection, new MqttUnsubscribePacket(id, topicFilters.ToArray()), MqttPacketType.UnsubAck, id, acknowledged, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            foreach (var filter in topicFilters) _subscriptions.Remove(filter);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            if (_state == MqttConnectionState.Disposed) return;
        }
        await DisconnectAsync().ConfigureAwait(false);
        lock (_gate) _state = MqttConnectionState.Disposed;
        FailPendingPublishes(new ObjectDisposedException(nameof(MqttClient), "the MQTT client was disposed before the broker acknowledged the message"));
        _deliveries.Writer.TryComplete();
        _disposed.Cancel();
        try
        {
            await _deliveryTask.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Deliveries still queued are dropped; the broker redelivers unacknowledged QoS 1/2 ones.
        }
        _received.Writer.TryComplete();
        _session.Dispose();
        _disposed.Dispose();
        RaiseStateChanged(MqttConnectionState.Disposed, null, false);
    }

    // ---- connection lifecycle ----

    private ResiliencePipeline BuildReconnectPipeline(MqttReconnectOptions reconnect)
    {
        return new ResiliencePipelineBuilder { TimeProvider = _timeProvider }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder()
                    .Handle<MqttCommunicationException>()
                    .Handle<MqttConnectException>(ex => ex.ReturnCode == MqttConnectReturnCode.ServerUnavailable),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = reconnect.UseJitter,
                Delay = reconnect.InitialDelay,
                MaxDelay = reconnect.MaxDelay,
                MaxRetryAttempts = reconnect.MaxAttempts ?? int.MaxValue,
                OnRetry = args =>
                {
                    _logger.LogWarning(args.Outcome.Exception, "MQTT reconnect to {Host}:{Port} failed (attempt {Attempt}); next try in {Delay}",
                        _options.Host, _options.Port, args.AttemptNumber + 1, args.RetryDelay);
                    return default;
                },
            })
            .Build();
    }

    /// <summary>One connection attempt: channel, CONNECT/CONNACK, session restore, then live.</summary>
    private async Task EstablishAsync(CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_options.ConnectTimeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        MqttPacketConnection? connection = null;
        try
        {
            var channel = await _channelFactory.ConnectAsync(_options, linked.Token).ConfigureAwait(false);
            connection = new MqttPacketConnection(channel, _codec, _timeProvider);
            await connection.SendAsync(BuildConnectPacket(), linked.Token).ConfigureAwait(false);
            var first = await connection.ReceiveAsync(linked.Token).ConfigureAwait(false);
            if (first is not MqttConnAckPacket connAck)
                throw new MqttProtocolException($"the broker's first packet must be CONNACK, got {first.Type.ToString().ToUpperInvariant()}", "MQTT-3.2.0-1");
            if (connAck.ReturnCode != MqttConnectReturnCode.Accepted) throw new MqttConnectException(connAck.ReturnCode);

            lock (_gate)
            {
                if (!connAck.SessionPresent) _incomingQos2.Clear();
            }
            _ = ReadLoopAsync(connection);
            StartKeepAlive(connection);
            if (!connAck.SessionPresent) await RestoreSubscriptionsAsync(connection, linked.Token).ConfigureAwait(false);
            await ResendAndGoLiveAsync(connection, linked.Token).ConfigureAwait(false);
            _logger.LogInformation("MQTT connected to {Host}:{Port} as \"{ClientId}\" (session present: {SessionPresent})",
                _options.Host, _options.Port, _options.ClientId, connAck.SessionPresent);
            RaiseStateChanged(MqttConnectionState.Connected, null, connAck.SessionPresent);
            if (connection.IsClosed) await OnConnectionLostAsync(connection, connection.CloseReason).ConfigureAwait(false);
            else if (_options.BirthMessage is { } birth) _ = PublishBirthAsync(birth);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            if (connection is not null) await connection.DisposeAsync().ConfigureAwait(false);
            throw new MqttCommunicationException($"connecting to MQTT broker {_options.Host}:{_options.Port} timed out after {_options.ConnectTimeout.TotalSeconds:0.###} s");
        }
        catch
        {
            if (connection is not null && !ReferenceEquals(Volatile.Read(ref _connection), connection))
                await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private MqttConnectPacket BuildConnectPacket() => new()
    {
        ClientId = _options.ClientId,
        CleanSession = _options.CleanSession,
        KeepAliveSeconds = (ushort)_options.KeepAlive.TotalSeconds,
        UserName = _options.UserName,
        Password = _options.Password is null ? (ReadOnlyMemory<byte>?)null : Encoding.UTF8.GetBytes(_options.Password),
        Will = _options.Will,
    };

    private async Task RestoreSubscriptionsAsync(MqttPacketConnection connection, CancellationToken cancellationToken)
    {
        MqttTopicSubscription[] subscriptions;
        lock (_gate) subscriptions = _subscriptions.Values.Select(s => new MqttTopicSubscription(s.TopicFilter, s.Qos)).ToArray();
        if (subscriptions.Length == 0) return;
        ushort id;
        Task<MqttPacket> acknowledged;
        lock (_gate)
        {
            id = AllocatePacketId();
            acknowledged = _dispatcher.Expect(MqttPacketType.SubAck, id);
        }
        var ack = (MqttSubAckPacket)await SendAndAwaitAckAsync(connection, new MqttSubscribePacket(id, subscriptions), MqttPacketType.SubAck, id, acknowledged, cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < ack.ReturnCodes.Count && i < subscriptions.Length; i++)
        {
            if (ack.ReturnCodes[i] == MqttSubscribeReturnCode.Failure)
                _logger.LogWarning("MQTT broker refused to restore the subscription to {Filter}", subscriptions[i].TopicFilter);
        }
    }

    /// <summary>
    /// Queue every unacknowledged message for resending in publication order (DUP = 1 for those sent before,
    /// PUBREL for QoS 2 ones already received), make the connection the live one, and start sending.
    /// </summary>
    private async Task ResendAndGoLiveAsync(MqttPacketConnection connection, CancellationToken cancellationToken)
    {
        int pending;
        lock (_gate)
        {
            cancellationToken.ThrowIfCancellationRequested();
            _unsent.Clear();
            foreach (var entry in _inflight.Values.OrderBy(e => e.Sequence)) _unsent.Enqueue(entry);
            pending = _unsent.Count;
            _inflightOnConnection = 0;
            _connection = connection;
            _state = MqttConnectionState.Connected;
        }
        if (pending > 0) _logger.LogInformation("MQTT resending {Count} unacknowledged message(s) after connecting", pending);
        await SendUnsentAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Send queued QoS 1/2 messages in order while the in-flight window has room. One sender at a time keeps the
    /// publication order on the wire; acknowledgements call this again to move the window.
    /// </summary>
    private async Task SendUnsentAsync()
    {
        await _sendOrder.WaitAsync().ConfigureAwait(false);
        try
        {
            while (true)
            {
                MqttPacketConnection? connection;
                MqttPacket packet;
                lock (_gate)
                {
                    connection = _connection;
                    if (connection is null || _inflightOnConnection >= _options.MaxInflightMessages) return;
                    MqttOutgoingPublish? next = null;
                    while (_unsent.TryDequeue(out var candidate))
                    {
                        if (_inflight.TryGetValue(candidate.PacketId, out var current) && ReferenceEquals(current, candidate))
                        {
                            next = candidate;
                            break;
                        }
                    }
                    if (next is null) return;
                    packet = next.Released ? new MqttPubRelPacket(next.PacketId) : next.Packet with { Duplicate = next.Sent };
                    next.Sent = true;
                    next.SentOn = connection;
                    _inflightOnConnection++;
                }
                try
                {
                    await connection.SendAsync(packet).ConfigureAwait(false);
                }
                catch (MqttCommunicationException ex)
                {
                    // The message stays in flight; the next connection resends it.
                    _logger.LogDebug(ex, "MQTT send failed; the message is resent after reconnect");
                    return;
                }
            }
        }
        finally
        {
            _sendOrder.Release();
        }
    }

    private async Task PublishBirthAsync(MqttWillMessage birth)
    {
        try
        {
            await PublishAsync(birth.Topic, birth.Payload, birth.Qos, birth.Retain).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is MqttCommunicationException or ObjectDisposedException)
        {
            // Lost again already; the next connection publishes it anew.
            _logger.LogDebug(ex, "MQTT birth message to {Topic} not published", birth.Topic);
        }
    }

    private async Task ReadLoopAsync(MqttPacketConnection connection)
    {
        Exception reason;
        try
        {
            while (true)
            {
                var packet = await connection.ReceiveAsync().ConfigureAwait(false);
                await HandlePacketAsync(connection, packet).ConfigureAwait(false);
            }
        }
        catch (MqttCommunicationException ex)
        {
            reason = ex;
        }
        catch (Exception ex)
        {
            // Whatever goes wrong here must end this connection, never the process.
            reason = new MqttCommunicationException($"MQTT receive loop failed: {ex.Message}", ex);
        }
        connection.Close(reason);
        await OnConnectionLostAsync(connection, connection.CloseReason ?? reason).ConfigureAwait(false);
    }

    private async Task OnConnectionLostAsync(MqttPacketConnection connection, Exception? reason)
    {
        bool reconnect;
        lock (_gate)
        {
            // A connection that never went live is cleaned up by EstablishAsync itself.
            if (!ReferenceEquals(_connection, connection)) return;
            _connection = null;
            reconnect = _options.Reconnect.Enabled && _state == MqttConnectionState.Connected;
            _state = reconnect ? MqttConnectionState.Reconnecting : MqttConnectionState.Disconnected;
            foreach (var id in _quarantinedIds) _idsInUse.Remove(id);
            _quarantinedIds.Clear();
        }
        _logger.LogWarning(reason, "MQTT connection to {Host}:{Port} lost: {Reason}", _options.Host, _options.Port, reason?.Message);
        var failure = reason as MqttCommunicationException ?? new MqttCommunicationException("connection to the broker lost", reason);
        _dispatcher.FailAll(failure, MqttPacketType.SubAck, MqttPacketType.UnsubAck);
        await connection.DisposeAsync().ConfigureAwait(false);
        RaiseStateChanged(reconnect ? MqttConnectionState.Reconnecting : MqttConnectionState.Disconnected, reason, false);
        if (!reconnect)
        {
            FailPendingPublishes(failure);
            return;
        }
        lock (_gate) _reconnectTask = ReconnectAsync(_session.Token);
    }

    private async Task ReconnectAsync(CancellationToken sessionToken)
    {
        await Task.Yield();
        try
        {
            await _reconnectPipeline.ExecuteAsync(async token => await EstablishAsync(token).ConfigureAwait(false), sessionToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (sessionToken.IsCancellationRequested)
        {
            // DisconnectAsync or DisposeAsync stopped reconnecting.
        }
        catch (Exception ex)
        {
            var changed = false;
            lock (_gate)
            {
                if (_state == MqttConnectionState.Reconnecting)
                {
                    _state = MqttConnectionState.Disconnected;
                    changed = true;
                }
            }
            _logger.LogError(ex, "MQTT reconnect to {Host}:{Port} gave up", _options.Host, _options.Port);
            if (!changed) return;
            FailPendingPublishes(ex as MqttCommunicationException ?? new MqttCommunicationException($"reconnect gave up: {ex.Message}", ex));
            RaiseStateChanged(MqttConnectionState.Disconnected, ex, false);
        }
    }

    // ---- incoming packets ----

    private async ValueTask HandlePacketAsync(MqttPacketConnection connection, MqttPacket packet)
    {
        switch (packet)
        {
            case MqttPublishPacket publish:
                if (publish.Qos == MqttQos.ExactlyOnce)
                {
                    bool first;
                    lock (_gate) first = _incomingQos2.Add(publish.PacketId);
                    if (!first)
                    {
                        // Already delivered (or queued for delivery): only the handshake goes on [MQTT-4.3.3-2].
                        await connection.SendAsync(new MqttPubRecPacket(publish.PacketId)).ConfigureAwait(false);
                        return;
                    }
                }
                _deliveries.Writer.TryWrite(new MqttInboundDelivery(connection, publish));
                return;
            case MqttPubAckPacket ack:
                CompleteOutgoing(ack, MqttQos.AtLeastOnce);
                return;
            case MqttPubRecPacket received:
                lock (_gate)
                {
                    if (_inflight.TryGetValue(received.PacketId, out var entry) && entry.Packet.Qos == MqttQos.ExactlyOnce) entry.Released = true;
                }
                await connection.SendAsync(new MqttPubRelPacket(received.PacketId)).ConfigureAwait(false);
                return;
            case MqttPubCompPacket complete:
                CompleteOutgoing(complete, MqttQos.ExactlyOnce);
                return;
            case MqttPubRelPacket release:
                lock (_gate) _incomingQos2.Remove(release.PacketId);
                await connection.SendAsync(new MqttPubCompPacket(release.PacketId)).ConfigureAwait(false);
                return;
            case MqttSubAckPacket or MqttUnsubAckPacket:
                if (!_dispatcher.TryDispatch(packet))
                    _logger.LogDebug("MQTT ignored a late {Type} for packet id {Id}", packet.Type, ((IMqttPacketWithId)packet).PacketId);
                return;
            case MqttPingRespPacket:
                Interlocked.Exchange(ref connection.PingOutstandingSince, 0);
                Interlocked.Increment(ref _pingResponses);
                return;
            default:
                throw new MqttProtocolException($"the broker sent {packet.Type.ToString().ToUpperInvariant()}, a packet only a client may send", "MQTT-2.2.1");
        }
    }

    private void CompleteOutgoing(MqttPacket acknowledgement, MqttQos expectedQos)
    {
        var id = ((IMqttPacketWithId)acknowledgement).PacketId;
        bool removed;
        lock (_gate)
        {
            removed = _inflight.TryGetValue(id, out var entry) && entry.Packet.Qos == expectedQos && _inflight.Remove(id);
            if (removed)
            {
                _idsInUse.Remove(id);
                if (_connection is not null && ReferenceEquals(entry!.SentOn, _connection)) _inflightOnConnection--;
            }
        }
        if (!removed)
        {
            _logger.LogDebug("MQTT ignored {Type} for unknown packet id {Id}", acknowledgement.Type, id);
            return;
        }
        _pendingSlots.Release();
        _dispatcher.TryDispatch(acknowledgement);
        // Not awaited: the read loop must keep reading while the window refills.
        _ = SendUnsentAsync();
    }

    private async Task DeliverLoopAsync()
    {
        await Task.Yield();
        var token = _disposed.Token;
        await foreach (var delivery in _deliveries.Reader.ReadAllAsync(token).ConfigureAwait(false))
        {
            var publish = delivery.Packet;
            var message = new MqttApplicationMessage(publish.Topic, publish.Payload, publish.Qos, publish.Retain, publish.Duplicate);
            List<MqttMessageHandler> handlers = new();
            lock (_gate)
            {
                foreach (var subscription in _subscriptions.Values)
                {
                    if (subscription.Handlers.Count > 0 && MqttTopic.Matches(subscription.TopicFilter, publish.Topic)) handlers.AddRange(subscription.Handlers);
                }
            }
            if (handlers.Count == 0)
            {
                await _received.Writer.WriteAsync(message, token).ConfigureAwait(false);
            }
            foreach (var handler in handlers)
            {
                try
                {
                    await handler(message, token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                    throw;
                }
                catch (Exception ex)
                {
                    _logger.LogError(ex, "MQTT message handler failed for topic {Topic}", publish.Topic);
                }
            }
            MqttPacket? acknowledgement = publish.Qos switch
            {
                MqttQos.AtLeastOnce => new MqttPubAckPacket(publish.PacketId),
                MqttQos.ExactlyOnce => new MqttPubRecPacket(publish.PacketId),
                _ => null,
            };
            if (acknowledgement is null || delivery.Connection.IsClosed) continue;
            try
            {
                await delivery.Connection.SendAsync(acknowledgement, token).ConfigureAwait(false);
            }
            catch (MqttCommunicationException)
            {
                // The connection died; the broker redelivers the message after reconnect.
            }
        }
    }

    // ---- keep-alive ----

    private void StartKeepAlive(MqttPacketConnection connection)
    {
        if (_options.KeepAlive == TimeSpan.Zero) return;
        // Checking four times per interval and pinging after half of it idle keeps the gap between packets under
        // the keep-alive even with a late timer, well before the broker's 1.5× limit [MQTT-3.1.2-24].
        var period = _options.KeepAlive / 4;
        connection.KeepAliveTimer = _timeProvider.CreateTimer(_ => KeepAliveTick(connection), null, period, period);
    }

    private void KeepAliveTick(MqttPacketConnection connection)
    {
        if (connection.IsClosed) return;
        var outstanding = Interlocked.Read(ref connection.PingOutstandingSince);
        if (outstanding != 0)
        {
            if (_timeProvider.GetElapsedTime(outstanding) >= _options.KeepAlive)
                connection.Close(new MqttCommunicationException($"no PINGRESP within the keep-alive of {_options.KeepAlive.TotalSeconds:0} s: the broker is unreachable"));
            return;
        }
        if (connection.IdleSendTime < _options.KeepAlive / 2) return;
        Interlocked.Exchange(ref connection.PingOutstandingSince, _timeProvider.GetTimestamp());
        _ = SendPingAsync(connection);
    }

    private async Task SendPingAsync(MqttPacketConnection connection)
    {
        try
        {
            await connection.SendAsync(MqttPingReqPacket.Instance).ConfigureAwait(false);
        }
        catch (MqttCommunicationException)
        {
            // SendAsync closed the connection; the read loop reports the loss.
        }
    }

    // ---- helpers ----

    private async Task<IReadOnlyList<MqttSubscribeReturnCode>> SendSubscribeAsync(IReadOnlyList<MqttTopicSubscription> subscriptions, CancellationToken cancellationToken)
    {
        var connection = RequireConnection();
        ushort id;
        Task<MqttPacket> acknowledged;
        lock (_gate)
        {
            id = AllocatePacketId();
            acknowledged = _dispatcher.Expect(MqttPacketType.SubAck, id);
        }
        var ack = (MqttSubAckPacket)await SendAndAwaitAckAsync(connection, new MqttSubscribePacket(id, subscriptions.ToArray()), MqttPacketType.SubAck, id, acknowledged, cancellationToken).ConfigureAwait(false);
        if (ack.ReturnCodes.Count != subscriptions.Count)
        {
            var violation = new MqttProtocolException($"SUBACK carries {ack.ReturnCodes.Count} return code(s) for {subscriptions.Count} topic filter(s)", "MQTT-3.8.4-5");
            connection.Close(violation);
            throw violation;
        }
        return ack.ReturnCodes;
    }

    /// <summary>
    /// Send a request and wait for its acknowledgement. On a timeout the connection is closed (and re-established),
    /// so a late reply can never be taken for the answer to a later request with the same id.
    /// </summary>
    private async Task<MqttPacket> SendAndAwaitAckAsync(MqttPacketConnection connection, MqttPacket request, MqttPacketType ackType, ushort id, Task<MqttPacket> acknowledged, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_options.OperationTimeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token, connection.Closed);
        var settled = false;
        try
        {
            await connection.SendAsync(request, linked.Token).ConfigureAwait(false);
            var ack = await acknowledged.WaitAsync(linked.Token).ConfigureAwait(false);
            settled = true;
            return ack;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            _dispatcher.Forget(ackType, id);
            if (connection.IsClosed)
            {
                settled = true;
                throw connection.CloseReason as MqttCommunicationException ?? new MqttCommunicationException($"connection lost while waiting for {ackType.ToString().ToUpperInvariant()}", connection.CloseReason);
            }
            var failure = new MqttCommunicationException($"no {ackType.ToString().ToUpperInvariant()} for packet id {id} within {_options.OperationTimeout.TotalSeconds:0.###} s; reconnecting");
            connection.Close(failure);
            settled = true;
            throw failure;
        }
        catch (MqttCommunicationException)
        {
            _dispatcher.Forget(ackType, id);
            settled = true;
            throw;
        }
        finally
        {
            lock (_gate)
            {
                // Cancelled by the caller while the request may be on the wire: keep the id out of use until this
                // connection ends, so a late acknowledgement cannot match a new request.
                if (settled) _idsInUse.Remove(id);
                else
                {
                    _dispatcher.Forget(ackType, id);
                    _quarantinedIds.Add(id);
                }
            }
        }
    }

    private MqttPacketConnection RequireConnection()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_state == MqttConnectionState.Disposed, this);
            return _connection ?? throw new MqttCommunicationException($"not connected ({_state})");
        }
    }

    private ushort AllocatePacketId()
    {
        for (var i = 0; i < ushort.MaxValue; i++)
        {
            _lastPacketId = _lastPacketId == ushort.MaxValue ? (ushort)1 : (ushort)(_lastPacketId + 1);
            if (_idsInUse.Add(_lastPacketId)) return _lastPacketId;
        }
        throw new InvalidOperationException("all 65535 packet ids are in use");
    }

    private static void ValidateSubscriptions(IReadOnlyList<MqttTopicSubscription> subscriptions)
    {
        ArgumentNullException.ThrowIfNull(subscriptions);
        if (subscriptions.Count == 0) throw new ArgumentException("at least one topic filter is needed [MQTT-3.8.3-3]", nameof(subscriptions));
        foreach (var subscription in subscriptions)
        {
            ArgumentNullException.ThrowIfNull(subscription);
            if (MqttTopic.CheckTopicFilter(subscription.TopicFilter) is { } error) throw new ArgumentException(error, nameof(subscriptions));
            if ((int)subscription.Qos > 2) throw new ArgumentOutOfRangeException(nameof(subscriptions), subscription.Qos, "QoS must be 0, 1 or 2");
        }
    }

    private bool[] Register(IReadOnlyList<MqttTopicSubscription> subscriptions, MqttMessageHandler? handler)
    {
        var added = new bool[subscriptions.Count];
        lock (_gate)
        {
            for (var i = 0; i < subscriptions.Count; i++)
            {
                var filter = subscriptions[i].TopicFilter;
                if (!_subscriptions.TryGetValue(filter, out var entry))
                {
                    entry = new MqttSubscriptionEntry(filter, subscriptions[i].Qos);
                    _subscriptions.Add(filter, entry);
                    added[i] = true;
                }
                if (handler is not null) entry.Handlers.Add(handler);
            }
        }
        return added;
    }

    private void Unregister(IReadOnlyList<MqttTopicSubscription> subscriptions, bool[] added, MqttMessageHandler? handler)
    {
        lock (_gate)
        {
            for (var i = 0; i < subscriptions.Count; i++)
            {
                if (!_subscriptions.TryGetValue(subscriptions[i].TopicFilter, out var entry)) continue;
                if (handler is not null) entry.Handlers.Remove(handler);
                if (added[i] && entry.Handlers.Count == 0) _subscriptions.Remove(subscriptions[i].TopicFilter);
            }
        }
    }

    private void FailPendingPublishes(Exception reason)
    {
        int count;
        lock (_gate)
        {
            count = _inflight.Count;
            foreach (var id in _inflight.Keys) _idsInUse.Remove(id);
            _inflight.Clear();
            _unsent.Clear();
        }
        if (count > 0) _pendingSlots.Release(count);
        _dispatcher.FailAll(reason, MqttPacketType.PubAck, MqttPacketType.PubComp);
    }

    private void RaiseStateChanged(MqttConnectionState state, Exception? reason, bool sessionPresent)
    {
        try
        {
            ConnectionStateChanged?.Invoke(this, new MqttConnectionStateChangedEventArgs(state, reason, sessionPresent));
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "MQTT ConnectionStateChanged handler failed");
        }
    }
}
