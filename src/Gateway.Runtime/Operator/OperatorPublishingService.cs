using Gateway.Drivers.Devices;
using Gateway.Drivers.Mqtt;
using Gateway.Rigs;
using Gateway.Runtime.Status;
using Gateway.Runtime.Worker;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gateway.Runtime.Operator;

/// <summary>
/// Publishes rounds, setpoints and acknowledgements to the operators' MQTT broker while the gateway runs, when the rig
/// names one (<c>operator.mqtt</c>). A broker down at start is retried with backoff in the background: trading does not
/// wait for it.
/// </summary>
internal sealed class OperatorPublishingService : BackgroundService
{
    private readonly GatewayStatusBoard _board;
    private readonly GatewayClocks _clocks;
    private readonly ILogger _logger;
    private readonly SqliteMqttOutboxStore _mqttOutbox;
    private readonly MqttClient _mqtt;
    private readonly OperatorPublisher _publisher;
    private readonly string _address;

    public OperatorPublishingService(RigDefinition rig, GatewayStatusBoard board, GatewayClocks clocks, ILoggerFactory loggers)
    {
        _board = board;
        _clocks = clocks;
        _logger = loggers.CreateLogger("gateway");
        var (broker, security) = rig.Broker(rig.Operator.MqttBroker!);
        var formatter = new OperatorMessageFormatter(new OperatorTopics(board.SiteId));
        // Rounds, setpoints and acknowledgements handed to the client survive a restart of the gateway while the
        // broker is away; the file sits beside the round journal.
        _mqttOutbox = new SqliteMqttOutboxStore(Path.ChangeExtension(rig.JournalPath, ".mqtt-outbox.db"));
        _mqtt = new MqttClient(security.Apply(new MqttClientOptions
        {
            OutboxStore = _mqttOutbox,
            Host = broker.Host, Port = broker.Port, ClientId = "gateway-" + board.SiteId, Will = formatter.Will(), BirthMessage = formatter.Birth(),
            ConnectTimeout = TimeSpan.FromSeconds(5),
            Reconnect = new MqttReconnectOptions { InitialDelay = TimeSpan.FromMilliseconds(500), MaxDelay = TimeSpan.FromSeconds(30) },
        }), TimeProvider.System);
        _address = broker.ToString();
        _mqtt.ConnectionStateChanged += (_, e) =>
        {
            if (e.State == MqttConnectionState.Connected)
            {
                _logger.LogWarning("operator broker {Broker} connected ({Security})", _address, security.Describe());
                _board.Report(new BrokerLink("operators", _address, true, _clocks.Wall.GetUtcNow(), null, []));
            }
            else if (e.State == MqttConnectionState.Reconnecting)
            {
                _logger.LogWarning("operator broker {Broker} lost: {Reason}; reconnecting (setpoints and results wait in a queue)", _address, e.Reason?.Message ?? "connection lost");
                _board.Report(new BrokerLink("operators", _address, false, _clocks.Wall.GetUtcNow(), e.Reason?.Message ?? "connection lost", []));
            }
        };
        // Real time, even under a test's fake wall clock: the client's reconnects and the publisher's drain timeout and
        // rate bounds are about network I/O and people, not market time.
        _publisher = new OperatorPublisher(board, _mqtt, new OperatorPublisherOptions { AckUsers = rig.Operator.MqttAckUsers }, TimeProvider.System, loggers.CreateLogger<OperatorPublisher>());
    }

    /// <summary>Messages published to the operators' broker so far.</summary>
    public long Published => _publisher.Published;

    /// <summary>
    /// Connect to the operators' broker, retrying with backoff until it answers (a broker down at start must not leave
    /// the gateway silent for the rest of the run); after the first connection the client reconnects by itself.
    /// </summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromMilliseconds(500);
        var attempts = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _mqtt.ConnectAsync(stoppingToken).ConfigureAwait(false);
                await _publisher.StartAsync(stoppingToken).ConfigureAwait(false);
                if (attempts > 0) _logger.LogWarning("operator broker {Broker} reached after {Attempts} failed attempt(s)", _address, attempts);
                return;
            }
            catch (Exception e) when (IsBrokerFailure(e))
            {
                attempts++;
                // Trading does not depend on operators' broker; say so loudly and keep trying.
                if (attempts == 1 || attempts % 10 == 0)
                    _logger.LogError("operator MQTT broker {Broker} not reachable ({Error}); retrying every {Delay:0.#} s at most, setpoints and results are published once it answers",
                        _address, e.Message, delay.TotalSeconds);
                _board.Report(new BrokerLink("operators", _address, false, _clocks.Wall.GetUtcNow(), e.Message, []));
                try { await _mqtt.DisconnectAsync(CancellationToken.None).ConfigureAwait(false); } catch (Exception) { /* not connected */ }
                try { await Task.Delay(delay, _clocks.Wall, stoppingToken).ConfigureAwait(false); }
                catch (OperationCanceledException) { return; }
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Whether <paramref name="e"/> is the operators' broker failing (unreachable, refusing the connection or a
    /// subscription, breaking the protocol), in the device error contract's terms: worth trying again, not a bug.
    /// </summary>
    private bool IsBrokerFailure(Exception e) =>
        DeviceException.FromTransport(e, "the operators' broker " + _address) is { Kind: DeviceErrorKind.Unreachable or DeviceErrorKind.Refused or DeviceErrorKind.Protocol or DeviceErrorKind.Timeout };

    /// <summary>Stop connecting, publish "offline" and drain (bounded), then leave the broker cleanly.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        await _publisher.StopAsync().ConfigureAwait(false);
        try
        {
            using var bye = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            if (_mqtt.State == MqttConnectionState.Connected) await _mqtt.DisconnectAsync(bye.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException || IsBrokerFailure(e)) { }
        await _mqtt.DisposeAsync().ConfigureAwait(false);
        _mqttOutbox.Dispose();
    }
}
