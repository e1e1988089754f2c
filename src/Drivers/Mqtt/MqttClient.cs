using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet;
using MQTTnet.Channel;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using Polly;
using Polly.Retry;
using MqttNetClient = MQTTnet.IMqttClient;
using MqttNetMessage = MQTTnet.MqttApplicationMessage;

namespace Gateway.Drivers.Mqtt;

/// <summary>
/// The gateway's MQTT client: MQTTnet's client (MQTT 5, or 3.1.1) for the protocol, and on top of it what a gateway
/// needs from a connection that must not lose anything — automatic reconnect by a Polly retry pipeline, subscriptions
/// restored when the broker lost the session, QoS 1/2 messages kept (in memory or in a durable
/// <see cref="IMqttOutboxStore"/>) and resent in order until acknowledged, at most <see cref="MqttClientOptions.MaxInflightMessages"/>
/// in flight, a birth message on every connect, handlers per subscription that run one message at a time.
/// </summary>
public sealed class MqttClient : IMqttClient
{
    private const int ReceivedMessagesCapacity = 10_000;

    private readonly MqttClientOptions _options;
    // Why the last handshake's server certificate was turned down: the TLS stack only says "rejected by the callback".
    private volatile string? _certificateProblem;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly IMqttClientStreamProvider? _streamProvider;
    private readonly MqttClientFactory _factory = new();
    private readonly MqttNetClient _client;
    private readonly ResiliencePipeline _reconnectPipeline;
    private readonly SemaphoreSlim _pendingSlots;
    private readonly SemaphoreSlim _sendSignal = new(0);
    private readonly object _gate = new();
    private readonly SortedDictionary<long, PendingPublish> _pending = new();
    private readonly Dictionary<string, MqttSubscriptionEntry> _subscriptions = new(StringComparer.Ordinal);
    private readonly Channel<MqttApplicationMessage> _received = System.Threading.Channels.Channel.CreateBounded<MqttApplicationMessage>(new BoundedChannelOptions(ReceivedMessagesCapacity) { SingleWriter = true });
    private readonly CancellationTokenSource _disposed = new();
    private readonly Task _sendLoop;
    private Queue<PendingPublish> _unsent = new();
    private MqttProtocolVersion _version;
    private MqttConnectionState _state = MqttConnectionState.Disconnected;
    private CancellationTokenSource _session = new();
    private Task _reconnectTask = Task.CompletedTask;
    private long _nextMemoryId;
    private uint _nextSubscriptionId;
    private int _generation;
    private int _inflight;

    /// <summary>Create a client; nothing is sent until <see cref="ConnectAsync"/>.</summary>
    /// <param name="options">Validated here; an invalid setting throws <see cref="ArgumentException"/> naming it.</param>
    /// <param name="timeProvider">Clock for the reconnect backoff; the system clock by default.</param>
    /// <param name="logger">Receives connection events and handler failures.</param>
    /// <param name="streamProvider">How to open the byte stream to the broker (TLS is layered on top); a plain socket by default. Tests cut it.</param>
    public MqttClient(MqttClientOptions options, TimeProvider? timeProvider = null, ILogger? logger = null, IMqttClientStreamProvider? streamProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _version = options.ProtocolVersion;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _streamProvider = streamProvider;
        _pendingSlots = new SemaphoreSlim(options.MaxPendingMessages, options.MaxPendingMessages);
        _reconnectPipeline = BuildReconnectPipeline(options.Reconnect);
        _client = _factory.CreateMqttClient();
        _client.ApplicationMessageReceivedAsync += OnMessageReceivedAsync;
        _client.DisconnectedAsync += OnDisconnectedAsync;
        if (options.OutboxStore is { } store) RestoreFromStore(store);
        _sendLoop = SendLoopAsync();
    }

    /// <inheritdoc />
    public MqttConnectionState State
    {
        get { lock (_gate) return _state; }
    }

    /// <summary>The options this client runs with.</summary>
    public MqttClientOptions Options => _options;

    /// <summary>The protocol version of the current (or last) connection: 3.1.1 after a fallback from 5.</summary>
    public MqttProtocolVersion ProtocolVersion
    {
        get { lock (_gate) return _version; }
    }

    /// <summary>Messages on subscriptions without a handler (bounded; read it, or the client stops acknowledging).</summary>
    public ChannelReader<MqttApplicationMessage> ReceivedMessages => _received.Reader;

    /// <summary>QoS 1/2 messages published but not yet acknowledged (sent, or waiting for a connection or a slot).</summary>
    public int PendingMessageCount
    {
        get { lock (_gate) return _pending.Count; }
    }

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
            var sessionPresent = await EstablishAsync(linked.Token).ConfigureAwait(false);
            await GoLiveAsync(sessionPresent, MqttConnectionState.Connecting, linked.Token).ConfigureAwait(false);
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
        Task reconnect;
        lock (_gate)
        {
            if (_state is MqttConnectionState.Disconnected or MqttConnectionState.Disposed) return;
            _session.Cancel();
            _state = MqttConnectionState.Disconnected;
            _generation++;
            reconnect = _reconnectTask;
        }
        try
        {
            if (_client.IsConnected)
                await _client.DisconnectAsync(_factory.CreateClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build(), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Already gone: the broker publishes the will, which is the truth anyway.
            _logger.LogDebug(ex, "MQTT DISCONNECT not sent");
        }
        try
        {
            await reconnect.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The reconnect loop was cancelled by the Cancel above.
        }
        // A persistent session or a durable store keeps unacknowledged messages for the next ConnectAsync; a clean
        // in-memory one would drop them anyway.
        if (_options.CleanSession && _options.OutboxStore is null)
            FailPendingPublishes(new MqttCommunicationException("the client disconnected before the broker acknowledged the message"), forget: true);
        RaiseStateChanged(MqttConnectionState.Disconnected, null, false);
    }

    /// <inheritdoc />
    public Task PublishAsync(string topic, ReadOnlyMemory<byte> payload, MqttQos qos, bool retain, CancellationToken cancellationToken = default) =>
        PublishAsync(topic, payload, qos, retain, null, cancellationToken);

    /// <inheritdoc />
    public async Task PublishAsync(string topic, ReadOnlyMemory<byte> payload, MqttQos qos, bool retain,
        IReadOnlyList<KeyValuePair<string, string>>? userProperties, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topic);
        if (MqttTopic.CheckTopicName(topic) is { } topicError) throw new ArgumentException(topicError, nameof(topic));
        if ((int)qos > 2) throw new ArgumentOutOfRangeException(nameof(qos), qos, "QoS must be 0, 1 or 2");
        if (Encoding.UTF8.GetByteCount(topic) > ushort.MaxValue) throw new ArgumentException("topic is longer than 65535 bytes of UTF-8", nameof(topic));
        var properties = userProperties ?? [];

        if (qos == MqttQos.AtMostOnce)
        {
            if (State != MqttConnectionState.Connected)
                throw new MqttCommunicationException($"not connected ({State}): QoS 0 messages are not queued while disconnected");
            try
            {
                await _client.PublishAsync(Message(topic, payload.ToArray(), qos, retain, properties, duplicate: false), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (Translate(ex) is { } translated)
            {
                throw translated;
            }
            return;
        }

        await _pendingSlots.WaitAsync(cancellationToken).ConfigureAwait(false);
        PendingPublish entry;
        lock (_gate)
        {
            if (_state is MqttConnectionState.Disconnected or MqttConnectionState.Disposed)
            {
                _pendingSlots.Release();
                ObjectDisposedException.ThrowIf(_state == MqttConnectionState.Disposed, this);
                throw new MqttCommunicationException("not connected: call ConnectAsync first (QoS 1/2 messages are queued only while reconnecting)");
            }
            // The caller may reuse its buffer once the task completes or is abandoned; we may resend later.
            var stored = new MqttStoredMessage(0, topic, payload.ToArray(), qos, retain, properties);
            var id = _options.OutboxStore?.Add(stored) ?? ++_nextMemoryId;
            entry = new PendingPublish(stored with { Id = id });
            _pending.Add(id, entry);
            _unsent.Enqueue(entry);
        }
        _sendSignal.Release();
        await entry.Acknowledged.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
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
                    if (codes[i].Code == MqttSubscribeReturnCode.Failure && added[i]) _subscriptions.Remove(subscriptions[i].TopicFilter);
                    else if (codes[i].Code != MqttSubscribeReturnCode.Failure) _subscriptions[subscriptions[i].TopicFilter].Qos = subscriptions[i].Qos;
                }
            }
            return codes.Select(c => c.Code).ToArray();
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
        MqttTopicSubscription[] subscriptions = [new MqttTopicSubscription(topicFilter, qos)];
        ValidateSubscriptions(subscriptions);
        var added = Register(subscriptions, handler: null);
        return await SubscribeRegisteredAsync(subscriptions, added, null, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<MqttQos> SubscribeAsync(string topicFilter, MqttQos qos, MqttMessageHandler handler, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(handler);
        MqttTopicSubscription[] subscriptions = [new MqttTopicSubscription(topicFilter, qos)];
        ValidateSubscriptions(subscriptions);
        // The handler is in place before SUBSCRIBE leaves, so retained messages right after SUBACK reach it.
        var added = Register(subscriptions, handler);
        return await SubscribeRegisteredAsync(subscriptions, added, handler, cancellationToken).ConfigureAwait(false);
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
        RequireConnected();
        var builder = _factory.CreateUnsubscribeOptionsBuilder();
        foreach (var filter in topicFilters) builder.WithTopicFilter(filter);
        try
        {
            await _client.UnsubscribeAsync(builder.Build(), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (Translate(ex) is { } translated)
        {
            throw translated;
        }
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
        // Messages in a durable store stay there for the next client; only the waiting callers are released.
        FailPendingPublishes(new ObjectDisposedException(nameof(MqttClient), "the MQTT client was disposed before the broker acknowledged the message"), forget: false);
        _disposed.Cancel();
        try
        {
            await _sendLoop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The send loop ends with the client.
        }
        _client.Dispose();
        _received.Writer.TryComplete();
        _session.Dispose();
        RaiseStateChanged(MqttConnectionState.Disposed, null, false);
        _disposed.Dispose();
    }

    // ---- connection lifecycle ----

    private ResiliencePipeline BuildReconnectPipeline(MqttReconnectOptions reconnect)
    {
        return new ResiliencePipelineBuilder { TimeProvider = _timeProvider }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder()
                    .Handle<MqttCommunicationException>()
                    .Handle<MqttConnectException>(ex => ex.IsTransient),
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

    /// <summary>One connection attempt (two when an MQTT 5 CONNECT is refused for its version); returns the session-present flag.</summary>
    private async Task<bool> EstablishAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            MqttProtocolVersion version;
            lock (_gate) version = _version;
            using var timeout = new CancellationTokenSource(_options.ConnectTimeout, _timeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            MqttClientConnectResult result;
            try
            {
                _certificateProblem = null;
                result = await _client.ConnectAsync(BuildOptions(version), linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                await AbortAsync().ConfigureAwait(false);
                throw new MqttCommunicationException($"connecting to MQTT broker {_options.Host}:{_options.Port} timed out after {_options.ConnectTimeout.TotalSeconds:0.###} s");
            }
            catch (Exception ex) when (version == MqttProtocolVersion.V500 && IsVersionRefusal(ex))
            {
                // A 3.1.1 broker answers a version-5 CONNECT with its own CONNACK 0x01, which MQTTnet's v5 reader rejects.
                FallBackTo311("its CONNACK could not be read as MQTT 5");
                continue;
            }
            catch (Exception ex) when (Translate(ex) is { } translated)
            {
                await AbortAsync().ConfigureAwait(false);
                throw translated;
            }
            if (result.ResultCode == MqttClientConnectResultCode.Success) return result.IsSessionPresent;
            await AbortAsync().ConfigureAwait(false);
            // A 3.1.1 broker answers with its own return code 0x01 (unacceptable protocol version), read here as is.
            if (version == MqttProtocolVersion.V500 && result.ResultCode is MqttClientConnectResultCode.UnsupportedProtocolVersion or (MqttClientConnectResultCode)0x01)
            {
                FallBackTo311("it refused protocol version 5");
                continue;
            }
            throw new MqttConnectException(result.ResultCode, result.ReasonString);
        }
    }

    private static bool IsVersionRefusal(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (e is MQTTnet.Adapter.MqttConnectingFailedException failed && failed.Message.Contains("UnsupportedProtocolVersion", StringComparison.Ordinal)) return true;
            if (e is MQTTnet.Exceptions.MqttProtocolViolationException) return true;
        }
        return false;
    }

    private void FallBackTo311(string why)
    {
        lock (_gate) _version = MqttProtocolVersion.V311;
        _logger.LogWarning("MQTT broker {Host}:{Port} does not speak MQTT 5 ({Why}); using MQTT 3.1.1 from now on", _options.Host, _options.Port, why);
    }

    private async Task AbortAsync()
    {
        try
        {
            if (_client.IsConnected) await _client.DisconnectAsync(new MqttClientDisconnectOptions()).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _logger.LogDebug(ex, "MQTT connection attempt cleanup");
        }
    }

    private MQTTnet.MqttClientOptions BuildOptions(MqttProtocolVersion version)
    {
        var builder = _factory.CreateClientOptionsBuilder()
            .WithTcpServer(_options.Host, _options.Port)
            .WithProtocolVersion(version)
            .WithClientId(_options.ClientId)
            .WithCleanSession(_options.CleanSession)
            .WithTimeout(_options.OperationTimeout);
        if (_streamProvider is not null) builder.WithStreamProvider(_streamProvider);
        builder = _options.KeepAlive == TimeSpan.Zero ? builder.WithNoKeepAlive() : builder.WithKeepAlivePeriod(_options.KeepAlive);
        if (_options.UserName is not null) builder.WithCredentials(_options.UserName, _options.Password is null ? null : Encoding.UTF8.GetBytes(_options.Password));
        if (version == MqttProtocolVersion.V500)
        {
            builder.WithMaximumPacketSize((uint)_options.MaxIncomingPacketSize);
            builder.WithRequestProblemInformation(true);
            // Over MQTT 5 a persistent session ends with the connection unless it has an expiry; none given means
            // "keep it", as in 3.1.1.
            if (!_options.CleanSession)
                builder.WithSessionExpiryInterval(_options.SessionExpiry is { } expiry ? (uint)expiry.TotalSeconds : uint.MaxValue);
        }
        if (_options.Will is { } will)
        {
            builder.WithWillTopic(will.Topic).WithWillPayload(will.Payload.ToArray())
                .WithWillQualityOfServiceLevel((MqttQualityOfServiceLevel)will.Qos).WithWillRetain(will.Retain);
        }
        if (_options.Tls is { } tls)
        {
            var tlsBuilder = new MqttClientTlsOptionsBuilder()
                .UseTls()
                .WithTargetHost(tls.ServerName ?? _options.Host)
                .WithSslProtocols(tls.Protocols)
                .WithRevocationMode(X509RevocationMode.NoCheck)
                .WithCertificateValidationHandler(e => ValidateServerCertificate(tls, e.Certificate, e.SslPolicyErrors));
            if (tls.ClientCertificate is { } certificate) tlsBuilder.WithClientCertificates([certificate]);
            builder.WithTlsOptions(tlsBuilder.Build());
        }
        return builder.Build();
    }

    private bool ValidateServerCertificate(MqttTlsOptions tls, X509Certificate? certificate, SslPolicyErrors errors)
    {
        _certificateProblem = CertificateProblem(tls, certificate, errors);
        return _certificateProblem is null;
    }

    /// <summary>Null when the broker's certificate is accepted; otherwise why not, in plain words.</summary>
    private string? CertificateProblem(MqttTlsOptions tls, X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0) return "the broker sent no certificate";
        if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
            return $"the broker's certificate ({certificate.Subject}) is not issued to {tls.ServerName ?? _options.Host}";
        if (tls.TrustedCertificateAuthorities.Count == 0)
            return errors == SslPolicyErrors.None ? null : $"the broker's certificate is not signed by a CA the system trusts (issuer: {certificate.Issuer})";
        // Only the chain is re-judged, against our CAs instead of the system store.
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(tls.TrustedCertificateAuthorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var server = new X509Certificate2(certificate);
        if (chain.Build(server)) return null;
        var why = string.Join(", ", chain.ChainStatus.Select(c => c.Status.ToString()).Distinct());
        return $"the broker's certificate does not chain to the trusted CA (issuer: {certificate.Issuer}; {why})";
    }

    /// <summary>After CONNACK: restore subscriptions the broker forgot, resend what is unacknowledged, announce, publish the birth.</summary>
    private async Task GoLiveAsync(bool sessionPresent, MqttConnectionState from, CancellationToken cancellationToken)
    {
        if (!sessionPresent) await RestoreSubscriptionsAsync(cancellationToken).ConfigureAwait(false);
        int resend;
        lock (_gate)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_state != from) throw new OperationCanceledException("the client was disconnected while connecting");
            _generation++;
            _inflight = 0;
            _unsent = new Queue<PendingPublish>(_pending.Values);
            resend = _unsent.Count;
            _state = MqttConnectionState.Connected;
        }
        if (resend > 0) _logger.LogInformation("MQTT sending {Count} unacknowledged message(s) after connecting", resend);
        _sendSignal.Release();
        _logger.LogInformation("MQTT connected to {Host}:{Port} as \"{ClientId}\" over MQTT {Version} (session present: {SessionPresent})",
            _options.Host, _options.Port, _options.ClientId, ProtocolVersion == MqttProtocolVersion.V500 ? "5" : "3.1.1", sessionPresent);
        RaiseStateChanged(MqttConnectionState.Connected, null, sessionPresent);
        if (_options.BirthMessage is { } birth) _ = PublishBirthAsync(birth);
    }

    private async Task RestoreSubscriptionsAsync(CancellationToken cancellationToken)
    {
        MqttTopicSubscription[] subscriptions;
        lock (_gate) subscriptions = _subscriptions.Values.Select(s => new MqttTopicSubscription(s.TopicFilter, s.Qos)).ToArray();
        if (subscriptions.Length == 0) return;
        var codes = await SendSubscribeAsync(subscriptions, cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < codes.Count; i++)
        {
            if (codes[i].Code == MqttSubscribeReturnCode.Failure)
                _logger.LogWarning("MQTT broker refused to restore the subscription to {Filter} (reason code 0x{Code:X2})", subscriptions[i].TopicFilter, codes[i].Reason);
        }
    }

    private async Task PublishBirthAsync(MqttWillMessage birth)
    {
        try
        {
            await PublishAsync(birth.Topic, birth.Payload, birth.Qos, birth.Retain).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is MqttCommunicationException or ObjectDisposedException or MqttPublishRefusedException)
        {
            // Lost again already; the next connection publishes it anew.
            _logger.LogDebug(ex, "MQTT birth message to {Topic} not published", birth.Topic);
        }
    }

    private Task OnDisconnectedAsync(MqttClientDisconnectedEventArgs e)
    {
        // Failed connection attempts are reported by EstablishAsync; only a live connection's end matters here.
        if (!e.ClientWasConnected) return Task.CompletedTask;
        bool reconnect;
        lock (_gate)
        {
            if (_state != MqttConnectionState.Connected) return Task.CompletedTask;
            reconnect = _options.Reconnect.Enabled;
            _state = reconnect ? MqttConnectionState.Reconnecting : MqttConnectionState.Disconnected;
            _generation++;
        }
        var reason = DescribeLoss(e);
        _logger.LogWarning(reason.InnerException, "MQTT connection to {Host}:{Port} lost: {Reason}", _options.Host, _options.Port, reason.Message);
        RaiseStateChanged(reconnect ? MqttConnectionState.Reconnecting : MqttConnectionState.Disconnected, reason, false);
        if (!reconnect)
        {
            FailPendingPublishes(reason, forget: _options.OutboxStore is null);
            return Task.CompletedTask;
        }
        lock (_gate)
        {
            var token = _session.Token;
            // Off MQTTnet's own thread: it raises this event from its receive loop.
            _reconnectTask = Task.Run(() => ReconnectAsync(token), CancellationToken.None);
        }
        return Task.CompletedTask;
    }

    private MqttCommunicationException DescribeLoss(MqttClientDisconnectedEventArgs e)
    {
        var reasonString = string.IsNullOrEmpty(e.ReasonString) ? "" : $": {e.ReasonString}";
        if (e.Reason is MqttClientDisconnectReason.MalformedPacket or MqttClientDisconnectReason.ProtocolError || e.Exception is MQTTnet.Exceptions.MqttProtocolViolationException)
            return new MqttProtocolException($"connection closed for a protocol violation ({e.Reason}{reasonString}{(e.Exception is null ? "" : ": " + e.Exception.Message)})", e.Exception);
        if (e.Reason != MqttClientDisconnectReason.NormalDisconnection)
            return new MqttCommunicationException($"the broker disconnected: reason code 0x{(int)e.Reason:X2} ({e.Reason}){reasonString}", e.Exception);
        return e.Exception is null
            ? new MqttCommunicationException("connection to the broker lost")
            : new MqttCommunicationException($"connection to the broker lost: {e.Exception.Message}", e.Exception);
    }

    private async Task ReconnectAsync(CancellationToken token)
    {
        try
        {
            await _reconnectPipeline.ExecuteAsync(async ct =>
            {
                var sessionPresent = await EstablishAsync(ct).ConfigureAwait(false);
                await GoLiveAsync(sessionPresent, MqttConnectionState.Reconnecting, ct).ConfigureAwait(false);
            }, token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // DisconnectAsync or DisposeAsync stopped reconnecting.
        }
        catch (Exception ex)
        {
            bool changed;
            lock (_gate)
            {
                changed = _state == MqttConnectionState.Reconnecting;
                if (changed) _state = MqttConnectionState.Disconnected;
            }
            if (!changed) return;
            _logger.LogError(ex, "MQTT reconnect to {Host}:{Port} gave up", _options.Host, _options.Port);
            FailPendingPublishes(ex as MqttCommunicationException ?? new MqttCommunicationException($"reconnect gave up: {ex.Message}", ex), forget: _options.OutboxStore is null);
            RaiseStateChanged(MqttConnectionState.Disconnected, ex, false);
        }
    }

    // ---- outgoing QoS 1/2 ----

    private void RestoreFromStore(IMqttOutboxStore store)
    {
        var stored = store.Load();
        foreach (var message in stored)
        {
            if (!_pendingSlots.Wait(0))
            {
                _logger.LogWarning("MQTT outbox holds more messages than MaxPendingMessages ({Max}); the rest wait in the store", _options.MaxPendingMessages);
                break;
            }
            var entry = new PendingPublish(message) { Sent = true }; // a previous process may have sent it
            _pending.Add(message.Id, entry);
        }
        if (_pending.Count > 0) _logger.LogInformation("MQTT outbox: {Count} message(s) from before the restart wait for the broker", _pending.Count);
    }

    /// <summary>
    /// Hands queued messages to MQTTnet in order while the in-flight window has room; each completes when its
    /// PUBACK/PUBCOMP arrives. MQTTnet serialises writes in call order, so the wire order is the publication order.
    /// </summary>
    private async Task SendLoopAsync()
    {
        var token = _disposed.Token;
        while (!token.IsCancellationRequested)
        {
            PendingPublish? next = null;
            int generation;
            lock (_gate)
            {
                generation = _generation;
                if (_state == MqttConnectionState.Connected && _inflight < _options.MaxInflightMessages)
                {
                    while (_unsent.TryDequeue(out var candidate))
                    {
                        if (_pending.TryGetValue(candidate.Message.Id, out var current) && ReferenceEquals(current, candidate))
                        {
                            next = candidate;
                            break;
                        }
                    }
                }
                if (next is not null)
                {
                    _inflight++;
                    next.Generation = generation;
                }
            }
            if (next is null)
            {
                await _sendSignal.WaitAsync(token).ConfigureAwait(false);
                continue;
            }
            var duplicate = next.Sent;
            next.Sent = true;
            _ = SendOneAsync(next, generation, duplicate);
        }
    }

    private async Task SendOneAsync(PendingPublish entry, int generation, bool duplicate)
    {
        var m = entry.Message;
        Exception? refused = null;
        try
        {
            var result = await _client.PublishAsync(Message(m.Topic, m.Payload, m.Qos, m.Retain, m.UserProperties, duplicate), CancellationToken.None).ConfigureAwait(false);
            // 0x10 "no matching subscribers" is a success; 0x80 and up is a refusal that resending will not change.
            if ((int)result.ReasonCode >= 0x80) refused = new MqttPublishRefusedException(m.Topic, result.ReasonCode, result.ReasonString);
        }
        catch (Exception ex)
        {
            // Not acknowledged on this connection (lost, or no PUBACK in time): it stays pending and goes again —
            // on the next connection, or at once if this one is still up.
            lock (_gate)
            {
                if (_generation != generation || !_pending.ContainsKey(m.Id)) return;
                _inflight--;
                _unsent = new Queue<PendingPublish>(_unsent.Prepend(entry));
            }
            _logger.LogDebug(ex, "MQTT message {Id} to {Topic} not acknowledged; it will be resent", m.Id, m.Topic);
            _sendSignal.Release();
            return;
        }
        Complete(entry, generation, refused);
    }

    private void Complete(PendingPublish entry, int generation, Exception? error)
    {
        lock (_gate)
        {
            if (!_pending.Remove(entry.Message.Id)) return;
            if (_generation == generation) _inflight--;
            _options.OutboxStore?.Remove(entry.Message.Id);
        }
        _pendingSlots.Release();
        _sendSignal.Release();
        if (error is null) entry.Acknowledged.TrySetResult();
        else
        {
            _logger.LogWarning("{Error}", error.Message);
            entry.Acknowledged.TrySetException(error);
        }
    }

    private void FailPendingPublishes(Exception reason, bool forget)
    {
        PendingPublish[] entries;
        lock (_gate)
        {
            entries = _pending.Values.ToArray();
            if (forget)
            {
                foreach (var entry in entries) _options.OutboxStore?.Remove(entry.Message.Id);
                _pending.Clear();
                _unsent.Clear();
            }
        }
        if (forget && entries.Length > 0) _pendingSlots.Release(entries.Length);
        foreach (var entry in entries) entry.Acknowledged.TrySetException(reason);
    }

    private MqttNetMessage Message(string topic, byte[] payload, MqttQos qos, bool retain, IReadOnlyList<KeyValuePair<string, string>> userProperties, bool duplicate)
    {
        var builder = _factory.CreateApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithQualityOfServiceLevel((MqttQualityOfServiceLevel)qos)
            .WithRetainFlag(retain);
        if (ProtocolVersion == MqttProtocolVersion.V500)
        {
            foreach (var property in userProperties) builder.WithUserProperty(property.Key, Encoding.UTF8.GetBytes(property.Value).AsMemory());
        }
        var message = builder.Build();
        message.Dup = duplicate;
        return message;
    }

    // ---- incoming ----

    private async Task OnMessageReceivedAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        var source = e.ApplicationMessage;
        var message = new MqttApplicationMessage(source.Topic, System.Buffers.BuffersExtensions.ToArray(source.Payload), (MqttQos)source.QualityOfServiceLevel, source.Retain, source.Dup)
        {
            UserProperties = source.UserProperties is { Count: > 0 } properties
                ? properties.Select(p => new KeyValuePair<string, string>(p.Name, Encoding.UTF8.GetString(p.ValueBuffer.Span))).ToArray()
                : [],
        };
        // MQTT 5 brokers name the subscriptions this copy is for (mosquitto sends one copy per overlapping
        // subscription); without identifiers (3.1.1) every subscription whose filter matches gets it.
        var identifiers = source.SubscriptionIdentifiers is { Count: > 0 } ids ? ids : null;
        List<MqttMessageHandler> handlers = [];
        lock (_gate)
        {
            foreach (var entry in _subscriptions.Values)
            {
                if (identifiers is not null ? !identifiers.Contains(entry.Identifier) : !MqttTopic.Matches(entry.TopicFilter, message.Topic)) continue;
                handlers.AddRange(entry.Handlers);
            }
        }
        CancellationToken token;
        try
        {
            token = _disposed.Token;
        }
        catch (ObjectDisposedException)
        {
            return;
        }
        if (handlers.Count == 0)
        {
            try
            {
                await _received.Writer.WriteAsync(message, token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ChannelClosedException)
            {
                // Disposed: the broker redelivers an unacknowledged QoS 1/2 message to the next session.
            }
            return;
        }
        // Handlers run one message at a time, in arrival order, before MQTTnet acknowledges the message.
        foreach (var handler in handlers)
        {
            try
            {
                await handler(message, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                _logger.LogError(ex, "MQTT handler for {Topic} failed", message.Topic);
            }
        }
    }

    // ---- subscriptions ----

    private async Task<MqttQos> SubscribeRegisteredAsync(MqttTopicSubscription[] subscriptions, bool[] added, MqttMessageHandler? handler, CancellationToken cancellationToken)
    {
        IReadOnlyList<(MqttSubscribeReturnCode Code, int Reason, string? ReasonString)> codes;
        try
        {
            codes = await SendSubscribeAsync(subscriptions, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Unregister(subscriptions, added, handler);
            throw;
        }
        if (codes[0].Code == MqttSubscribeReturnCode.Failure)
        {
            Unregister(subscriptions, added, handler);
            throw new MqttSubscribeException(subscriptions[0].TopicFilter, codes[0].Reason, codes[0].ReasonString);
        }
        return (MqttQos)codes[0].Code;
    }

    private async Task<IReadOnlyList<(MqttSubscribeReturnCode Code, int Reason, string? ReasonString)>> SendSubscribeAsync(
        IReadOnlyList<MqttTopicSubscription> subscriptions, CancellationToken cancellationToken)
    {
        if (!_client.IsConnected) throw new MqttCommunicationException($"not connected ({State}): cannot subscribe");
        var codes = new (MqttSubscribeReturnCode, int, string?)[subscriptions.Count];
        if (ProtocolVersion == MqttProtocolVersion.V500)
        {
            // One SUBSCRIBE per filter: an identifier belongs to a whole SUBSCRIBE packet.
            for (var i = 0; i < subscriptions.Count; i++)
            {
                uint identifier;
                lock (_gate) identifier = _subscriptions.TryGetValue(subscriptions[i].TopicFilter, out var entry) ? entry.Identifier : 0;
                var builder = _factory.CreateSubscribeOptionsBuilder().WithTopicFilter(subscriptions[i].TopicFilter, (MqttQualityOfServiceLevel)subscriptions[i].Qos);
                if (identifier > 0) builder.WithSubscriptionIdentifier(identifier);
                var result = await SubscribeOnceAsync(builder.Build(), cancellationToken).ConfigureAwait(false);
                codes[i] = Code(result, 0);
            }
            return codes;
        }
        var all = _factory.CreateSubscribeOptionsBuilder();
        foreach (var s in subscriptions) all.WithTopicFilter(s.TopicFilter, (MqttQualityOfServiceLevel)s.Qos);
        var together = await SubscribeOnceAsync(all.Build(), cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < subscriptions.Count; i++) codes[i] = Code(together, i);
        return codes;

        static (MqttSubscribeReturnCode, int, string?) Code(MqttClientSubscribeResult result, int index)
        {
            var items = result.Items.ToArray();
            var code = index < items.Length ? (int)items[index].ResultCode : 0x80;
            return (code >= 0x80 ? MqttSubscribeReturnCode.Failure : (MqttSubscribeReturnCode)code, code, result.ReasonString);
        }
    }

    private async Task<MqttClientSubscribeResult> SubscribeOnceAsync(MqttClientSubscribeOptions options, CancellationToken cancellationToken)
    {
        try
        {
            return await _client.SubscribeAsync(options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (Translate(ex) is { } translated)
        {
            throw translated;
        }
    }

    private static void ValidateSubscriptions(IReadOnlyList<MqttTopicSubscription> subscriptions)
    {
        ArgumentNullException.ThrowIfNull(subscriptions);
        if (subscriptions.Count == 0) throw new ArgumentException("at least one subscription is needed [MQTT-3.8.3-3]", nameof(subscriptions));
        foreach (var s in subscriptions)
        {
            if (MqttTopic.CheckTopicFilter(s.TopicFilter) is { } error) throw new ArgumentException(error, nameof(subscriptions));
            if ((int)s.Qos > 2) throw new ArgumentOutOfRangeException(nameof(subscriptions), s.Qos, "QoS must be 0, 1 or 2");
        }
    }

    private bool[] Register(IReadOnlyList<MqttTopicSubscription> subscriptions, MqttMessageHandler? handler)
    {
        var added = new bool[subscriptions.Count];
        lock (_gate)
        {
            for (var i = 0; i < subscriptions.Count; i++)
            {
                var s = subscriptions[i];
                if (!_subscriptions.TryGetValue(s.TopicFilter, out var entry))
                {
                    // Identifiers go up to 268,435,455; a gateway subscribes a few hundred filters in its life.
                    _nextSubscriptionId = _nextSubscriptionId % 268_435_455 + 1;
                    entry = new MqttSubscriptionEntry(s.TopicFilter, s.Qos, _nextSubscriptionId);
                    _subscriptions.Add(s.TopicFilter, entry);
                    added[i] = true;
                }
                else if (s.Qos > entry.Qos)
                {
                    entry.Qos = s.Qos;
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
                if (added[i]) _subscriptions.Remove(subscriptions[i].TopicFilter);
            }
        }
    }

    private void RequireConnected()
    {
        var state = State;
        ObjectDisposedException.ThrowIf(state == MqttConnectionState.Disposed, this);
        if (state != MqttConnectionState.Connected) throw new MqttCommunicationException($"not connected ({state})");
    }

    /// <summary>MQTTnet's and the socket's exceptions as ours, so callers see one family with a message that says what failed.</summary>
    private Exception? Translate(Exception ex) => ex switch
    {
        MqttCommunicationException or MqttConnectException or OperationCanceledException or ObjectDisposedException or ArgumentException => null,
        MQTTnet.Exceptions.MqttProtocolViolationException p => new MqttProtocolException($"MQTT broker {_options.Host}:{_options.Port} broke the protocol: {p.Message}", p),
        MQTTnet.Exceptions.MqttCommunicationTimedOutException t => new MqttCommunicationException($"MQTT broker {_options.Host}:{_options.Port} did not answer within {_options.OperationTimeout.TotalSeconds:0.###} s", t),
        MQTTnet.Exceptions.MqttCommunicationException c => new MqttCommunicationException(Describe(c), c),
        SocketException or IOException or AuthenticationException or InvalidOperationException => new MqttCommunicationException(Describe(ex), ex),
        _ => null,
    };

    private string Describe(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (e is SocketException s) return $"cannot connect to MQTT broker {_options.Host}:{_options.Port}: {s.Message}";
            if (e is AuthenticationException a) return $"TLS handshake with MQTT broker {_options.Host}:{_options.Port} failed: {_certificateProblem ?? a.Message}";
            // A TLS 1.3 broker judges our certificate after the handshake has ended on our side, so its refusal (an
            // alert) surfaces as a failed decryption on the first read; the alert's text is in the innermost exception.
            if (e is IOException { InnerException: { } tlsError } && _options.Tls is not null && tlsError is not SocketException)
                return $"TLS connection with MQTT broker {_options.Host}:{_options.Port} failed: {tlsError.GetBaseException().Message}";
        }
        return $"MQTT broker {_options.Host}:{_options.Port}: {ex.Message}";
    }

    private void RaiseStateChanged(MqttConnectionState state, Exception? reason, bool sessionPresent)
    {
        try
        {
            ConnectionStateChanged?.Invoke(this, new MqttConnectionStateChangedEventArgs(state, reason, sessionPresent));
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "MQTT connection state handler failed");
        }
    }

    /// <summary>A QoS 1/2 message from <c>PublishAsync</c> (or the store) until the broker acknowledged it.</summary>
    private sealed class PendingPublish(MqttStoredMessage message)
    {
        public MqttStoredMessage Message { get; } = message;

        public TaskCompletionSource Acknowledged { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Sent at least once before (the next send carries DUP = 1).</summary>
        public bool Sent { get; set; }

        /// <summary>The connection it was last handed to.</summary>
        public int Generation { get; set; } = -1;
    }
}
