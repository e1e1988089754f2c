using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Gateway.DeviceSims.Devices;
using Gateway.Drivers.Devices;
using Gateway.Drivers.Devices.Mqtt;
using Gateway.Drivers.Modbus;
using Gateway.Drivers.Mqtt;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.DeviceSims.Hosting;

/// <summary>
/// The MQTT face of one simulated device: it connects to the rig's broker as the device, publishes
/// telemetry from the device's physics (periodically, and at once after a command), and applies
/// setpoint commands and heartbeats to the device's register image exactly as a Modbus write would
/// arrive — so validation, ramp and the watchdog's fallback to 0 kW hold over MQTT too — then
/// acknowledges each command with the applied value or the reason it was refused.
/// </summary>
/// <remarks>
/// Faults: <c>no-answer</c> stops publishing and acknowledging (commands are dropped), <c>slow MS</c>
/// delays acknowledgements, <c>exception CODE</c> refuses every command, <c>corrupt</c> publishes
/// garbled JSON, <c>disconnect</c> drops the broker connection until the fault is cleared.
/// </remarks>
public sealed class MqttDeviceAdapter : IAsyncDisposable
{
    private readonly SimulatedRig _rig;
    private readonly SimulatedDevice _device;
    private readonly DeviceProfile _wire;
    private readonly MqttTopicMap _map;
    private readonly MqttClient _client;
    private readonly TimeSpan _publishPeriod;
    private readonly ILogger _logger;
    private readonly Channel<byte[]> _acks = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = [];
    private long _telemetryPublished;
    private long _commandsApplied;
    private long _commandsRefused;
    private long _commandsDropped;

    /// <summary>Prepares the device's MQTT face; nothing connects until <see cref="StartAsync"/>.</summary>
    /// <param name="rig">The rig (its gate and clock).</param>
    /// <param name="device">The device; its <see cref="SimulatedDevice.WireProfile"/> must have an MQTT topic map.</param>
    /// <param name="broker">The broker the device publishes through.</param>
    /// <param name="publishPeriod">Real time between two telemetry messages.</param>
    /// <param name="logger">Receives connection problems and malformed commands.</param>
    /// <param name="security">TLS and credentials the device connects with (default: plain, anonymous).</param>
    public MqttDeviceAdapter(SimulatedRig rig, SimulatedDevice device, MqttBrokerAddress broker, TimeSpan publishPeriod, ILogger? logger = null,
        MqttBrokerSecurity? security = null)
    {
        _rig = rig;
        _device = device;
        _wire = device.WireProfile;
        _map = _wire.Mqtt ?? throw new ArgumentException($"device '{device.Id}': profile '{_wire.Name}' has no MQTT topic map", nameof(device));
        Topics = _map.For(device.Id);
        Broker = broker;
        _publishPeriod = publishPeriod > TimeSpan.Zero ? publishPeriod : throw new ArgumentOutOfRangeException(nameof(publishPeriod), publishPeriod, "must be positive");
        _logger = logger ?? NullLogger.Instance;
        _client = new MqttClient((security ?? new MqttBrokerSecurity { Tls = broker.UseTls }).Apply(new MqttClientOptions
        {
            Host = broker.Host,
            Port = broker.Port,
            ClientId = $"device-sims-{rig.Definition.SiteId}-{device.Id}",
            KeepAlive = TimeSpan.FromSeconds(30),
            // TCP, TLS handshake and CONNACK together: a loaded bench box may need more than a few seconds for a TLS handshake.
            ConnectTimeout = TimeSpan.FromSeconds(15),
            Reconnect = new MqttReconnectOptions { InitialDelay = TimeSpan.FromMilliseconds(200), MaxDelay = TimeSpan.FromSeconds(2) },
        }), TimeProvider.System, _logger);
    }

    /// <summary>The device's topics.</summary>
    public MqttDeviceTopics Topics { get; }

    /// <summary>The broker.</summary>
    public MqttBrokerAddress Broker { get; }

    /// <summary>The device's connection to the broker now.</summary>
    public MqttConnectionState ConnectionState => _client.State;

    /// <summary>Telemetry messages published.</summary>
    public long TelemetryPublished => Interlocked.Read(ref _telemetryPublished);

    /// <summary>Commands applied and acknowledged as accepted.</summary>
    public long CommandsApplied => Interlocked.Read(ref _commandsApplied);

    /// <summary>Commands refused (negative acknowledgement).</summary>
    public long CommandsRefused => Interlocked.Read(ref _commandsRefused);

    /// <summary>Commands dropped unanswered (malformed without an id, or swallowed by a fault).</summary>
    public long CommandsDropped => Interlocked.Read(ref _commandsDropped);

    /// <summary>Connects, subscribes to the command and heartbeat topics and starts publishing.</summary>
    /// <exception cref="MqttCommunicationException">The broker cannot be reached.</exception>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await _client.ConnectAsync(cancellationToken).ConfigureAwait(false);
        if (Topics.Command is { } command) await _client.SubscribeAsync(command, MqttQos.AtLeastOnce, OnCommandAsync, cancellationToken).ConfigureAwait(false);
        if (Topics.Heartbeat is { } heartbeat) await _client.SubscribeAsync(heartbeat, MqttQos.AtLeastOnce, OnHeartbeatAsync, cancellationToken).ConfigureAwait(false);
        await _client.SubscribeAsync(MqttGatewayPresence.Topic(_rig.Definition.SiteId), MqttQos.AtLeastOnce, OnGatewayPresenceAsync, cancellationToken).ConfigureAwait(false);
        _loops.Add(PublishLoopAsync(_stop.Token));
        _loops.Add(AckLoopAsync(_stop.Token));
    }

    /// <summary>Publishes one telemetry message per telemetry topic now (tests and the loop use it).</summary>
    public async Task PublishTelemetryAsync(CancellationToken cancellationToken = default)
    {
        if (_device.Faults.Current.Kind is ModbusFaultKind.NoAnswer or ModbusFaultKind.Disconnect) return;
        var corrupt = _device.Faults.Current.Kind == ModbusFaultKind.CorruptFrame;
        foreach (var (topic, body) in BuildTelemetry())
        {
            var payload = Encoding.UTF8.GetBytes(body.ToJsonString());
            // A corrupt frame's MQTT counterpart: JSON cut off in the middle.
            if (corrupt) payload = payload[..(payload.Length / 2)];
            try
            {
                await _client.PublishAsync(topic, payload, MqttQos.AtMostOnce, retain: false, cancellationToken).ConfigureAwait(false);
                Interlocked.Increment(ref _telemetryPublished);
            }
            catch (MqttCommunicationException e)
            {
                _logger.LogDebug("{Device}: telemetry not published ({Error}); the client reconnects", _device.Id, e.Message);
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _acks.Writer.TryComplete();
        try { await Task.WhenAll(_loops).ConfigureAwait(false); }
        catch (OperationCanceledException) { }
        await _client.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task PublishLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await FollowDisconnectFaultAsync(cancellationToken).ConfigureAwait(false);
                await PublishTelemetryAsync(cancellationToken).ConfigureAwait(false);
                await Task.Delay(_publishPeriod, TimeProvider.System, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is MqttCommunicationException or MqttConnectException or InvalidOperationException)
            {
                _logger.LogDebug("{Device}: {Error}", _device.Id, e.Message);
                await Task.Delay(_publishPeriod, TimeProvider.System, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    // "disconnect" drops the broker connection (without a will) and keeps it down until the fault is cleared.
    private async Task FollowDisconnectFaultAsync(CancellationToken cancellationToken)
    {
        var disconnect = _device.Faults.Current.Kind == ModbusFaultKind.Disconnect;
        if (disconnect && _client.State != MqttConnectionState.Disconnected) await _client.DisconnectAsync(cancellationToken).ConfigureAwait(false);
        else if (!disconnect && _client.State == MqttConnectionState.Disconnected) await _client.ConnectAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task AckLoopAsync(CancellationToken cancellationToken)
    {
        await foreach (var ack in _acks.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            if (_device.Faults.Current is { Kind: ModbusFaultKind.SlowAnswer } slow)
                await Task.Delay(slow.Delay, TimeProvider.System, cancellationToken).ConfigureAwait(false);
            var payload = _device.Faults.Current.Kind == ModbusFaultKind.CorruptFrame ? ack[..(ack.Length / 2)] : ack;
            try
            {
                await _client.PublishAsync(Topics.Ack!, payload, MqttQos.AtLeastOnce, retain: false, cancellationToken).ConfigureAwait(false);
                // Telemetry at once after a command, so the new setpoint shows without waiting a period.
                await PublishTelemetryAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (MqttCommunicationException e)
            {
                _logger.LogDebug("{Device}: acknowledgement not published ({Error})", _device.Id, e.Message);
            }
        }
    }

    private ValueTask OnCommandAsync(MqttApplicationMessage message, CancellationToken cancellationToken)
    {
        if (message.Retain || _device.Faults.Current.Kind is ModbusFaultKind.NoAnswer or ModbusFaultKind.Disconnect)
        {
            // A retained command may be hours old: a real device must not act on it.
            Interlocked.Increment(ref _commandsDropped);
            return ValueTask.CompletedTask;
        }
        var ack = Apply(message.Payload);
        if (ack is not null) _acks.Writer.TryWrite(ack);
        return ValueTask.CompletedTask;
    }

    // Retained or fresh, "offline" means the same: no gateway stands behind the setpoint any more.
    private ValueTask OnGatewayPresenceAsync(MqttApplicationMessage message, CancellationToken cancellationToken)
    {
        if (!MqttGatewayPresence.SaysOffline(message.Payload.Span) || _device.Faults.Current.Kind is ModbusFaultKind.NoAnswer or ModbusFaultKind.Disconnect)
            return ValueTask.CompletedTask;
        lock (_rig.Gate)
        {
            _rig.AdvanceTo(_rig.Clock.Now);
            _device.GatewayLost();
            _device.Publish();
        }

        _logger.LogInformation("{Device}: the gateway's presence reads offline; safe state", _device.Id);
        return ValueTask.CompletedTask;
    }

    private ValueTask OnHeartbeatAsync(MqttApplicationMessage message, CancellationToken cancellationToken)
    {
        if (message.Retain || _device.Faults.Current.Kind is ModbusFaultKind.NoAnswer or ModbusFaultKind.Disconnect) return ValueTask.CompletedTask;
        var heartbeat = _device.Image.Profile.FindRole(PointRole.Heartbeat);
        if (heartbeat is not { IsWritable: true }) return ValueTask.CompletedTask;
        lock (_rig.Gate)
        {
            _rig.AdvanceTo(_rig.Clock.Now);
            // Through the image like a Modbus heartbeat write: it re-arms the watchdog.
            _device.Image.Write(heartbeat.Name, ((_device.Image.Get(heartbeat.Name) ?? 0) + 1) % 10_000);
            _device.Publish();
        }
        return ValueTask.CompletedTask;
    }

    // Returns the acknowledgement to publish, or null when the command cannot be answered (no id).
    private byte[]? Apply(ReadOnlyMemory<byte> payload)
    {
        var command = _map.Command!;
        var ackFormat = _map.Ack!;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(payload);
        }
        catch (JsonException e)
        {
            Interlocked.Increment(ref _commandsDropped);
            _logger.LogWarning("{Device}: command on {Topic} is not JSON ({Error}); dropped", _device.Id, Topics.Command, e.Message);
            return null;
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !command.IdField.TryFind(root, out var idField) || idField.ValueKind != JsonValueKind.String)
            {
                Interlocked.Increment(ref _commandsDropped);
                _logger.LogWarning("{Device}: command on {Topic} has no string '{Field}'; dropped (nothing to acknowledge it with)", _device.Id, Topics.Command, command.IdField);
                return null;
            }
            var id = idField.GetString()!;
            if (_device.Faults.Current is { Kind: ModbusFaultKind.Exception } fault)
                return Refuse(id, $"device fault: exception {(byte)fault.ExceptionCode:X2} ({fault.ExceptionCode})");
            if (!command.ValueField.TryFind(root, out var valueField) || valueField.ValueKind != JsonValueKind.Number || !valueField.TryGetDouble(out var deviceValue) || !double.IsFinite(deviceValue))
                return Refuse(id, $"the command has no number '{command.ValueField}'");

            double? validSeconds = null;
            if (command.ValidForField.TryFind(root, out var forField) && forField.ValueKind == JsonValueKind.Number && forField.TryGetDouble(out var f))
                validSeconds = f;
            else if (command.ValidUntilField.TryFind(root, out var untilField) && untilField.ValueKind == JsonValueKind.String
                && DateTimeOffset.TryParse(untilField.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var until))
                validSeconds = (until - _rig.Clock.Now).TotalSeconds;
            if (validSeconds is null) return Refuse(id, $"the command carries no validity ('{command.ValidForField}' or '{command.ValidUntilField}')");
            if (validSeconds <= 0) return Refuse(id, "the command's validity has already run out");

            var setpoint = _wire.FindRole(PointRole.Setpoint)!;
            var location = _map.Locations[setpoint.Name];
            var value = location.ToEngineering(deviceValue);
            var image = _device.Image;
            double? applied;
            lock (_rig.Gate)
            {
                _rig.AdvanceTo(_rig.Clock.Now);
                // The same writes, in the same order, as the Modbus driver makes: validity, enable, setpoint.
                if (image.Profile.FindRole(PointRole.Watchdog) is { IsWritable: true } watchdog)
                {
                    var code = image.Write(watchdog.Name, Math.Ceiling(validSeconds.Value));
                    if (code != ModbusExceptionCode.None) return Refuse(id, $"a validity of {Math.Ceiling(validSeconds.Value)} s is refused: {Explain(code)}");
                }
                var imagePoint = image.Profile.FindPoint(setpoint.Name)!;
                if (imagePoint.EnablePoint is { } enable) image.Write(enable, 1);
                var written = image.Write(setpoint.Name, value);
                _device.Publish();
                if (written != ModbusExceptionCode.None)
                    return Refuse(id, string.Create(CultureInfo.InvariantCulture, $"{setpoint.Name} {value:0.###} {setpoint.Unit} is refused: {Explain(written)}"));
                applied = image.Get(setpoint.Name);
            }
            Interlocked.Increment(ref _commandsApplied);
            var ack = new JsonObject();
            ackFormat.IdField.Set(ack, id);
            ackFormat.AcceptedField.Set(ack, true);
            if (ackFormat.AppliedField is { } appliedField) appliedField.Set(ack, applied is { } a ? DeviceNumber(location, a) : null);
            return Encoding.UTF8.GetBytes(ack.ToJsonString());
        }
    }

    private byte[] Refuse(string id, string reason)
    {
        Interlocked.Increment(ref _commandsRefused);
        var format = _map.Ack!;
        var ack = new JsonObject();
        format.IdField.Set(ack, id);
        format.AcceptedField.Set(ack, false);
        format.ReasonField.Set(ack, reason);
        return Encoding.UTF8.GetBytes(ack.ToJsonString());
    }

    // The device's number for an engineering value, to 3 decimals (and never "-0").
    private static double DeviceNumber(MqttPointLocation location, double value)
    {
        var number = Math.Round(location.ToDevice(value), 3, MidpointRounding.AwayFromZero);
        return number == 0 ? 0 : number;
    }

    private static string Explain(ModbusExceptionCode code) => code switch
    {
        ModbusExceptionCode.IllegalDataValue => "outside what the device accepts",
        ModbusExceptionCode.IllegalDataAddress => "the device has no such writable point",
        _ => code.ToString(),
    };

    private List<(string Topic, JsonObject Body)> BuildTelemetry()
    {
        var bodies = Topics.Telemetry.ToDictionary(t => t.Value, t => (Full: t.Key, Body: new JsonObject()), StringComparer.Ordinal);
        var image = _device.Image;
        lock (_rig.Gate)
        {
            _rig.AdvanceTo(_rig.Clock.Now);
            foreach (var point in _wire.Points)
            {
                if (!image.Has(point.Name) || !_map.Locations.TryGetValue(point.Name, out var location)) continue;
                var imagePoint = image.Profile.Modbus!.Locations[point.Name];
                JsonNode? node;
                if (imagePoint.DataType == RegisterDataType.String)
                {
                    var text = image.GetText(point.Name);
                    node = text.Length == 0 ? null : JsonValue.Create(text);
                }
                else if (image.Get(point.Name) is { } value)
                {
                    // Status goes out by name, the rest as numbers in the device's units: the driver takes both.
                    node = point.Role == PointRole.Status && point.States.TryGetValue((long)Math.Round(value), out var name)
                        ? JsonValue.Create(name)
                        : JsonValue.Create(DeviceNumber(location, value));
                }
                else
                {
                    node = location.AbsentMarker is { } marker
                        ? double.TryParse(marker, NumberStyles.Float, CultureInfo.InvariantCulture, out var m) ? JsonValue.Create(m) : JsonValue.Create(marker)
                        : null;
                }
                location.Field.Set(bodies[location.Topic].Body, node);
            }
        }
        return bodies.Values.Select(b => (b.Full, b.Body)).ToList();
    }
}
