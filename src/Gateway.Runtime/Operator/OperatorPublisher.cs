using System.Text;
using Gateway.Drivers.Mqtt;
using Gateway.Runtime.Status;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Runtime.Operator;

/// <summary>
/// Publishes what the status board learns to the site's operator topics (docs/operator-topics.md) and honours
/// operator acknowledgements received on <c>gw/{site}/operator/ack</c>.
/// The worker's <see cref="GatewayStatusBoard.Changed"/> handler only queues (see <see cref="OperatorOutbox"/>);
/// a single background pump formats and publishes, so a slow or absent broker never slows the worker.
/// The caller owns the MQTT client: create it with <see cref="OperatorMessageFormatter.Will"/> as its last will and
/// <see cref="OperatorMessageFormatter.Birth"/> as its birth message, connect it, then <see cref="StartAsync"/>; on
/// shutdown <see cref="StopAsync"/>, then disconnect it. The publisher also says "online" itself at start and after
/// each reconnect, so a client without a birth message still ends up right.
/// </summary>
internal sealed class OperatorPublisher : IAsyncDisposable
{
    private const int RejectedPayloadShownChars = 256;

    private readonly GatewayStatusBoard _board;
    private readonly IMqttClient _client;
    private readonly OperatorPublisherOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly OperatorOutbox _outbox;
    private readonly Queue<string> _retainedRounds = new();
    private readonly HashSet<string> _retainedRoundSet = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private Task _pump = Task.CompletedTask;
    private DateTimeOffset? _latestRoundStart;
    private string? _latestRoundId;
    private long _published;
    private long _failed;
    private long _rejectedAcks;
    private int _started;
    private volatile bool _publishing;
    private readonly HealthThrottle _health;
    private readonly object _healthGate = new();
    private Task _ticker = Task.CompletedTask;

    /// <summary>Create a publisher for <paramref name="board"/>'s site over <paramref name="client"/>.</summary>
    /// <param name="board">The status board the worker reports to.</param>
    /// <param name="client">A connected MQTT client (the caller owns it).</param>
    /// <param name="options">Queue sizes and timeouts; defaults when null.</param>
    /// <param name="clock">Stamps acknowledgement notices and paces the drain on stop; pass the same clock as the MQTT client.</param>
    /// <param name="logger">Receives rejected acknowledgements and publishing failures.</param>
    public OperatorPublisher(GatewayStatusBoard board, IMqttClient client, OperatorPublisherOptions? options = null, TimeProvider? clock = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(board);
        ArgumentNullException.ThrowIfNull(client);
        _options = options ?? new OperatorPublisherOptions();
        _options.Validate();
        _board = board;
        _client = client;
        _clock = clock ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        Formatter = new OperatorMessageFormatter(new OperatorTopics(board.SiteId));
        _outbox = new OperatorOutbox(_options.HealthQueueCapacity, _options.OrderedQueueCapacity);
        _health = new HealthThrottle(_options.HealthMinInterval, _options.HealthHeartbeat);
    }

    /// <summary>Device health updates the rate bound held back or dropped (they were not significant, or came too soon).</summary>
    public long ThrottledHealthUpdates => Interlocked.Read(ref _throttled);

    private long _throttled;

    /// <summary>Topics and payload formatting of this site.</summary>
    public OperatorMessageFormatter Formatter { get; }

    /// <summary>Messages the broker accepted (QoS 1) or that were written (QoS 0).</summary>
    public long Published => Interlocked.Read(ref _published);

    /// <summary>Messages that could not be published (logged; health is refreshed after a reconnect).</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Operator acknowledgements refused (garbled, or for an unknown round).</summary>
    public long RejectedAcknowledgements => Interlocked.Read(ref _rejectedAcks);

    /// <summary>Health updates dropped because the queue was full (drop-oldest).</summary>
    public long DroppedHealthUpdates => _outbox.DroppedLatest;

    /// <summary>Messages waiting to be published.</summary>
    public int QueueLength => _outbox.Count;

    /// <summary>True when the pump is not publishing (with <see cref="QueueLength"/> 0: everything queued so far is out).</summary>
    public bool IsIdle => !_publishing;

    /// <summary>
    /// Subscribe to the acknowledgement topic, publish "online" and everything the board knows (so retained topics
    /// are fresh), then follow the board. The client must be connected.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _started, 1) != 0) throw new InvalidOperationException("the operator publisher is already started");
        await _client.SubscribeAsync(Formatter.Topics.AcknowledgeAnyUser, MqttQos.AtLeastOnce, OnAcknowledgementAsync, cancellationToken).ConfigureAwait(false);
        await _client.SubscribeAsync(Formatter.Topics.Acknowledge, MqttQos.AtLeastOnce, OnAcknowledgementAsync, cancellationToken).ConfigureAwait(false);
        _outbox.Enqueue(new OutboxItem(new PresenceNotice(true), "status", Coalesce: false));
        // Follow first, then copy the board: a change made meanwhile may go out twice, but none is missed.
        _board.Changed += OnBoardChanged;
        _client.ConnectionStateChanged += OnConnectionStateChanged;
        var snapshot = _board.Snapshot();
        foreach (var round in snapshot.Rounds) OnBoardChanged(round);
        foreach (var ack in snapshot.Acknowledgements) OnBoardChanged(ack);
        foreach (var setpoint in snapshot.Setpoints) OnBoardChanged(setpoint);
        EnqueueLatestValues(snapshot);
        _pump = PumpAsync(_stopping.Token);
        _ticker = TickAsync(_stopping.Token);
    }

    /// <summary>
    /// Stop following the board, publish "offline" (a clean disconnect discards the last will, so the gateway says it
    /// itself) and wait up to <see cref="OperatorPublisherOptions.DrainTimeout"/> for the queue to drain.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Volatile.Read(ref _started) == 0 || _stopping.IsCancellationRequested) return;
        _board.Changed -= OnBoardChanged;
        _client.ConnectionStateChanged -= OnConnectionStateChanged;
        _outbox.Enqueue(new OutboxItem(new PresenceNotice(false), "status", Coalesce: false));
        using var timeout = new CancellationTokenSource(_options.DrainTimeout, _clock);
        using var drain = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            while (_outbox.Count > 0 || _publishing)
                await Task.Delay(TimeSpan.FromMilliseconds(10), _clock, drain.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            _logger.LogWarning("operator publisher stopped with {Count} message(s) unpublished (broker slow or unreachable)", _outbox.Count);
        }
        _stopping.Cancel();
        try { await _pump.ConfigureAwait(false); }
        catch (OperationCanceledException) { /* stopping */ }
        try { await _ticker.ConfigureAwait(false); }
        catch (OperationCanceledException) { /* stopping */ }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    // Runs on the worker's thread: queue and return; never let a publisher fault reach the worker.
    private void OnBoardChanged(object record)
    {
        try
        {
            Enqueue(record);
        }
        catch (Exception e)
        {
            Interlocked.Increment(ref _failed);
            _logger.LogError(e, "cannot queue {Kind} for operators", record.GetType().Name);
        }
    }

    private void Enqueue(object record)
    {
        switch (record)
        {
            case DeviceHealth health:
                bool now;
                lock (_healthGate) now = _health.Offer(health, _clock.GetUtcNow());
                if (now) _outbox.Enqueue(new OutboxItem(health, "health/" + health.DeviceId, Coalesce: true));
                else Interlocked.Increment(ref _throttled);
                break;
            case LedgerBacklog backlog:
                _outbox.Enqueue(new OutboxItem(backlog, "ledger", Coalesce: true));
                break;
            case DispatchedSetpoint setpoint:
                _outbox.Enqueue(new OutboxItem(setpoint, "setpoint/" + setpoint.DeviceId, Coalesce: false));
                break;
            case RoundSummary round:
                _outbox.Enqueue(new OutboxItem(round, "round/" + round.RoundId, Coalesce: false));
                break;
            case OperatorAck ack:
                _outbox.Enqueue(new OutboxItem(new AckNotice(ack.RoundId, ack.OperatorId, ack.AtUtc == default ? _clock.GetUtcNow() : ack.AtUtc, ack.Via), "ack/" + ack.RoundId, Coalesce: false));
                break;
        }
    }

    private void OnConnectionStateChanged(object? sender, MqttConnectionStateChangedEventArgs e)
    {
        if (e.State != MqttConnectionState.Connected) return;
        // Our last will may have replaced "online" while we were away, and QoS 0 health sent meanwhile is lost.
        _outbox.Enqueue(new OutboxItem(new PresenceNotice(true), "status", Coalesce: false));
        lock (_healthGate) _health.Reset();
        EnqueueLatestValues(_board.Snapshot());
    }

    // Sends held health changes when their interval ends, and the slow heartbeat of every device.
    private async Task TickAsync(CancellationToken cancellationToken)
    {
        var period = _options.HealthMinInterval > TimeSpan.Zero ? _options.HealthMinInterval : TimeSpan.FromSeconds(1);
        while (!cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(period, _clock, cancellationToken).ConfigureAwait(false);
            List<DeviceHealth> due;
            lock (_healthGate) due = _health.Due(_clock.GetUtcNow());
            foreach (var health in due) _outbox.Enqueue(new OutboxItem(health, "health/" + health.DeviceId, Coalesce: true));
        }
    }

    private void EnqueueLatestValues(GatewayStatusSnapshot snapshot)
    {
        foreach (var device in snapshot.Devices) OnBoardChanged(device);
        OnBoardChanged(snapshot.Ledger);
    }

    private async Task PumpAsync(CancellationToken cancellationToken)
    {
        await Task.Yield();
        while (!cancellationToken.IsCancellationRequested)
        {
            // Busy before the dequeue, so "queue empty and idle" really means everything is out.
            _publishing = true;
            try
            {
                while (_outbox.TryDequeue(out var item))
                {
                    foreach (var message in Format(item)) await PublishAsync(message, cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                _publishing = false;
            }
            await _outbox.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private IEnumerable<OperatorMessage> Format(OutboxItem item)
    {
        try
        {
            return FormatRecord(item.Record);
        }
        catch (Exception e)
        {
            Interlocked.Increment(ref _failed);
            _logger.LogError(e, "cannot format {Kind} for operators ({Key})", item.Record.GetType().Name, item.Key);
            return [];
        }
    }

    private IEnumerable<OperatorMessage> FormatRecord(object record)
    {
        switch (record)
        {
            case DeviceHealth health: return [Formatter.DeviceHealth(health)];
            case LedgerBacklog backlog: return [Formatter.LedgerBacklog(backlog)];
            case DispatchedSetpoint setpoint: return [Formatter.Setpoint(setpoint)];
            case AckNotice ack: return [Formatter.Acknowledgement(ack)];
            case AckRejection rejection: return [Formatter.Rejection(rejection)];
            case PresenceNotice presence: return [Formatter.Presence(presence.Online)];
            case RoundSummary round: return FormatRound(round);
            default: return [];
        }
    }

    private List<OperatorMessage> FormatRound(RoundSummary round)
    {
        var isLatest = _latestRoundStart is null || round.IntervalStartUtc > _latestRoundStart
            || (round.IntervalStartUtc == _latestRoundStart && round.RoundId == _latestRoundId);
        if (isLatest)
        {
            _latestRoundStart = round.IntervalStartUtc;
            _latestRoundId = round.RoundId;
        }
        var messages = new List<OperatorMessage>(Formatter.Round(round, isLatest));
        if (_retainedRoundSet.Add(round.RoundId))
        {
            _retainedRounds.Enqueue(round.RoundId);
            while (_retainedRounds.Count > _options.RetainedRoundsKept)
            {
                var expired = _retainedRounds.Dequeue();
                _retainedRoundSet.Remove(expired);
                messages.AddRange(Formatter.ExpireRound(expired));
            }
        }
        return messages;
    }

    private async Task PublishAsync(OperatorMessage message, CancellationToken cancellationToken)
    {
        try
        {
            await _client.PublishAsync(message.Topic, message.Payload, message.Qos, message.Retain, message.UserProperties, cancellationToken).ConfigureAwait(false);
            Interlocked.Increment(ref _published);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            // Whatever the client throws, the pump lives on: one lost publication must not stop all that follow.
            Interlocked.Increment(ref _failed);
            if (message.Qos == MqttQos.AtMostOnce)
                _logger.LogDebug("health/backlog update to {Topic} not sent ({Reason}); it is refreshed after the reconnect", message.Topic, e.Message);
            else
                _logger.LogError("could not publish {Topic}: {Reason}", message.Topic, e.Message);
        }
    }

    private ValueTask OnAcknowledgementAsync(MqttApplicationMessage message, CancellationToken cancellationToken)
    {
        if (_stopping.IsCancellationRequested) return ValueTask.CompletedTask;
        if (message.Payload.IsEmpty)
        {
            // An empty message is how MQTT clears a retained one (forwarded live without the retain flag): housekeeping, not an acknowledgement.
            _logger.LogDebug("ignoring an empty message on {Topic} (a retained acknowledgement being cleared)", message.Topic);
            return ValueTask.CompletedTask;
        }
        try
        {
            // Who published is known only from the topic level the broker's ACL reserves for each user (gw/{site}/operator/ack/%u).
            var prefix = Formatter.Topics.Acknowledge + "/";
            if (!message.Topic.StartsWith(prefix, StringComparison.Ordinal))
            {
                Reject($"anonymous acknowledgement on {message.Topic}: publish on {prefix}<your broker user> (the broker's ACL lets only that user write it)", message.Payload);
                return ValueTask.CompletedTask;
            }
            var brokerUser = Uri.UnescapeDataString(message.Topic[prefix.Length..]);
            if (!_options.AckUsers.TryGetValue(brokerUser, out var operatorName))
            {
                Reject($"broker user '{brokerUser}' is not allowed to acknowledge (operator.mqttAckUsers maps broker users to operators)", message.Payload);
                return ValueTask.CompletedTask;
            }
            var request = OperatorAckRequest.TryParse(message.Payload.Span, roundIdFromPath: null, out var error, operatorRequired: false);
            if (request is not null && !OperatorAckRequest.IsKnownRound(_board.Snapshot(), request.RoundId))
                error = $"unknown round '{request.RoundId}' (the gateway knows the last rounds on its status board only)";
            if (request is null || error.Length > 0)
            {
                Reject(error, message.Payload);
                return ValueTask.CompletedTask;
            }
            if (request.OperatorName.Length > 0 && request.OperatorName != operatorName)
            {
                Reject($"broker user '{brokerUser}' acknowledges as '{operatorName}', not as '{request.OperatorName}'", message.Payload);
                return ValueTask.CompletedTask;
            }
            var ack = new OperatorAck(request.RoundId, operatorName, "mqtt", "broker user " + brokerUser);
            if (_board.Acknowledge(ack))
                _logger.LogInformation("round {RoundId} acknowledged by {Operator} over MQTT (broker user {User})", request.RoundId, operatorName, brokerUser);
            else
                Reject($"round '{request.RoundId}' is already acknowledged by {_board.Snapshot().OperatorAcks.GetValueOrDefault(request.RoundId)}", message.Payload);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // An acknowledgement must never take the gateway down; say what happened and carry on.
            Reject($"the gateway could not process the acknowledgement: {e.Message}", message.Payload);
        }
        return ValueTask.CompletedTask;
    }

    private void Reject(string reason, ReadOnlyMemory<byte> payload)
    {
        Interlocked.Increment(ref _rejectedAcks);
        var text = Encoding.UTF8.GetString(payload.Span);
        if (text.Length > RejectedPayloadShownChars) text = text[..RejectedPayloadShownChars];
        _logger.LogWarning("operator acknowledgement rejected: {Reason}; payload: {Payload}", reason, text);
        _outbox.Enqueue(new OutboxItem(new AckRejection(reason, text, _clock.GetUtcNow()), "rejected/" + Guid.NewGuid().ToString("N"), Coalesce: false));
    }
}
