using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Drivers.Mqtt;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Drivers.Devices.Mqtt;

/// <summary>
/// The one driver for every MQTT device: it reads a device's JSON telemetry and sends it setpoint
/// commands through the device's <see cref="DeviceProfile"/> (its topic map). Telemetry is kept as it
/// arrives; a read returns the latest value of every point, stamped with when it was received.
/// </summary>
/// <remarks>
/// <para>Quality follows the Modbus driver: inside the limits good, outside out-of-range, JSON null or the
/// profile's absent marker absent (never 0), old values stale through <see cref="DeviceReading.AsOf"/>.
/// A field missing from a message leaves its point as it was (devices may publish partial updates).</para>
/// <para>A payload that is not JSON, or a field of the wrong type, is counted, logged with the topic and
/// what is wrong, and dropped: it never throws out of the MQTT handler and never replaces a good value.
/// Retained telemetry and acknowledgements are ignored: their age is unknown.</para>
/// <para>One caller at a time (the poller owns the driver); the MQTT handlers run beside it.</para>
/// <para>Every failure surfaces as a <see cref="DeviceException"/> (the MQTT client's exception inside). In <see cref="ReadOnly"/>
/// mode the driver never publishes: no command, no heartbeat.</para>
/// </remarks>
public sealed class MqttDeviceDriver : IDeviceDriver
{
    private readonly MqttDeviceConnection _connection;
    private readonly MqttTopicMap _map;
    private readonly MqttDeviceTopics _topics;
    private readonly TimeProvider _time;
    private readonly MqttDeviceDriverOptions _options;
    private readonly ILogger _logger;
    private readonly bool _ownsConnection;
    private readonly object _gate = new();
    private readonly Dictionary<string, PointState> _points = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TaskCompletionSource<Ack>> _pendingAcks = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _firstTelemetry = new(TaskCreationOptions.RunContinuationsAsynchronously);
    // Full topics that have delivered telemetry; the first read waits for all of them (under _gate).
    private readonly HashSet<string> _telemetrySeen = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _startLock = new(1, 1);
    private bool _subscribed;
    private long? _lastTelemetryTimestamp;
    private long _telemetryVersion;
    private (double DeviceValue, double ValidSeconds)? _lastCommand;
    private int _heartbeat;
    private long _malformedPayloads;
    private long _fieldErrors;
    private long _ignoredMessages;
    private string? _lastPayloadError;
    private bool _disposed;

    /// <summary>Creates a driver for the device <paramref name="deviceId"/> behind <paramref name="connection"/>.</summary>
    /// <param name="connection">The broker connection (shared by the devices behind one broker).</param>
    /// <param name="deviceId">Fills the profile's <c>{device}</c> placeholder (the rig's device id, or the probe's --device).</param>
    /// <param name="profile">The device's profile; it must have an MQTT topic map.</param>
    /// <param name="timeProvider">Clock for measurement timestamps and validUntil (the market clock).</param>
    /// <param name="options">Timeouts; validated here.</param>
    /// <param name="logger">Receives payload problems and late acknowledgements.</param>
    /// <param name="ownsConnection">Dispose the connection with the driver.</param>
    /// <exception cref="ArgumentException">The profile has no MQTT part, or its topics need a device id and none was given.</exception>
    public MqttDeviceDriver(MqttDeviceConnection connection, string? deviceId, DeviceProfile profile, TimeProvider? timeProvider = null,
        MqttDeviceDriverOptions? options = null, ILogger? logger = null, bool ownsConnection = false)
    {
        _connection = connection;
        Profile = profile;
        _map = profile.Mqtt ?? throw new ArgumentException($"profile '{profile.Name}' has no MQTT topic map", nameof(profile));
        _topics = _map.For(deviceId);
        _time = timeProvider ?? TimeProvider.System;
        _options = (options ?? new MqttDeviceDriverOptions()).Validate();
        _logger = logger ?? NullLogger.Instance;
        _ownsConnection = ownsConnection;
    }

    /// <inheritdoc />
    public DeviceProfile Profile { get; }

    /// <inheritdoc />
    /// <remarks>Set it for a device the gateway may only watch (a probe, a commissioning read, a monitored-only rig device).</remarks>
    public bool ReadOnly { get; init; }

    /// <summary>
    /// The device's rating in kW, from its nameplate, for devices whose profile's rating point is absent: the basis of a setpoint
    /// in %, and the upper bound of a setpoint when the device reports none.
    /// </summary>
    public double? RatingKw { get; init; }

    /// <summary>The device's topics (prefix with the device id filled in).</summary>
    public MqttDeviceTopics Topics => _topics;

    /// <summary>Telemetry or acknowledgement payloads dropped because they were not a JSON object.</summary>
    public long MalformedPayloads => Interlocked.Read(ref _malformedPayloads);

    /// <summary>Fields dropped because their type did not fit the point (the point kept its last value).</summary>
    public long FieldErrors => Interlocked.Read(ref _fieldErrors);

    /// <summary>Retained messages and acknowledgements of no pending command that were ignored.</summary>
    public long IgnoredMessages => Interlocked.Read(ref _ignoredMessages);

    /// <summary>The last payload problem in plain words (topic and what was wrong), or null.</summary>
    public string? LastPayloadError
    {
        get { lock (_gate) return _lastPayloadError; }
    }

    /// <inheritdoc />
    /// <exception cref="MqttDeviceTimeoutException">No telemetry arrived yet within the first-telemetry timeout, or none for longer than the silence timeout.</exception>
    /// <exception cref="DeviceException">The broker cannot be reached (<see cref="DeviceErrorKind.Unreachable"/>).</exception>
    public Task<DeviceReading> ReadAsync(CancellationToken cancellationToken = default) => GuardAsync(() => ReadCoreAsync(cancellationToken));

    private async Task<DeviceReading> ReadCoreAsync(CancellationToken cancellationToken)
    {
        await StartCoreAsync(cancellationToken).ConfigureAwait(false);
        // The last values of a device behind a lost broker are history, not a reading: fail the read so the device is
        // marked stale (and isolated if the broker stays away) at its next poll, not after the silence timeout.
        if (_connection.Client.State == MqttConnectionState.Reconnecting)
            throw new MqttCommunicationException($"the connection to {_connection.Description} is lost (reconnecting); the last values of {_topics.Prefix} are stale");
        if (!_firstTelemetry.Task.IsCompleted)
        {
            try
            {
                await _firstTelemetry.Task.WaitAsync(_options.FirstTelemetryTimeout, _options.WaitTimeProvider, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // Some topics spoke: read what they said (the others' points stay absent). None did: the device is not there.
                bool any;
                lock (_gate) any = _telemetrySeen.Count > 0;
                if (!any)
                    throw new MqttDeviceTimeoutException(Who,
                        $"no telemetry from {Who} on {string.Join(", ", _topics.Telemetry.Keys)} within {Seconds(_options.FirstTelemetryTimeout)} s");
                _firstTelemetry.TrySetResult();
            }
        }
        var silence = _options.SilenceTimeout ?? _map.SilenceTimeout;
        var now = _time.GetUtcNow();
        var measurements = new List<Measurement>(Profile.Points.Count);
        lock (_gate)
        {
            var quiet = _options.WaitTimeProvider.GetElapsedTime(_lastTelemetryTimestamp!.Value);
            if (quiet > silence)
                throw new MqttDeviceTimeoutException(Who, $"{Who} has published no telemetry for {Seconds(quiet)} s (silence timeout {Seconds(silence)} s)");
            foreach (var point in Profile.Points)
            {
                if (point.Role == PointRole.ScaleFactor) continue;
                measurements.Add(_points.TryGetValue(point.Name, out var state)
                    ? state.ToMeasurement(point)
                    : new Measurement(point.Name, point.Role, null, point.Unit, now, MeasurementQuality.Absent));
            }
        }
        return new DeviceReading(Profile.Name, now, measurements);
    }

    /// <inheritdoc />
    /// <exception cref="MqttDeviceTimeoutException">The device did not acknowledge the command in time.</exception>
    /// <exception cref="SetpointRejectedException">The device refused the command (its reason is in the message).</exception>
    /// <exception cref="DeviceException">The driver is read-only, or the broker cannot be reached.</exception>
    public Task<SetpointResult> WriteSetpointAsync(double powerKw, TimeSpan validFor, CancellationToken cancellationToken = default)
    {
        ThrowIfReadOnly("a setpoint command");
        return GuardAsync(() => WriteSetpointCoreAsync(powerKw, validFor, cancellationToken));
    }

    private async Task<SetpointResult> WriteSetpointCoreAsync(double powerKw, TimeSpan validFor, CancellationToken cancellationToken)
    {
        if (!double.IsFinite(powerKw)) throw new ArgumentOutOfRangeException(nameof(powerKw), powerKw, "a setpoint must be a finite number of kW");
        var setpoint = Profile.FindRole(PointRole.Setpoint)
            ?? throw new InvalidOperationException($"profile '{Profile.Name}' has no setpoint point");
        var location = _map.Locations[setpoint.Name];
        var reading = await ReadCoreAsync(cancellationToken).ConfigureAwait(false);

        var bounds = SetpointBounds.From(setpoint, reading, RatingKw);
        var (targetKw, clampedBy) = bounds.Clamp(powerKw);
        var (value, percentBasisKw) = SetpointBounds.ToPointValue(setpoint, reading, targetKw, powerKw, RatingKw);
        if (!setpoint.Limits.Contains(value)) { value = setpoint.Limits.Clamp(value); clampedBy ??= $"profile limit of {setpoint.Name}"; }

        // The command goes in whole steps of the device's resolution; rounding must never step outside a limit.
        var limitLow = setpoint.PercentOf is null ? Math.Max(bounds.LowKw, setpoint.Limits.Min ?? double.NegativeInfinity) : setpoint.Limits.Min ?? double.NegativeInfinity;
        var limitHigh = setpoint.PercentOf is null ? Math.Min(bounds.HighKw, setpoint.Limits.Max ?? double.PositiveInfinity) : setpoint.Limits.Max ?? double.PositiveInfinity;
        var deviceValue = location.RoundToStep(location.ToDevice(value));
        var step = (location.Negate ? -1 : 1) * location.Step;
        if (location.ToEngineering(deviceValue) > limitHigh + 1e-9) deviceValue = location.RoundToStep(deviceValue - step);
        if (location.ToEngineering(deviceValue) < limitLow - 1e-9) deviceValue = location.RoundToStep(deviceValue + step);
        value = location.ToEngineering(deviceValue);
        targetKw = setpoint.PercentOf is null ? value : value * percentBasisKw / 100;

        // Every setpoint carries a validity; never 0 (on many devices 0 means "valid forever").
        var validSeconds = Math.Max(1, Math.Ceiling(validFor.TotalSeconds));
        if (Profile.FindRole(PointRole.Watchdog) is { } watchdog) validSeconds = Math.Max(1, watchdog.Limits.Clamp(validSeconds));

        var ack = await SendCommandAsync(deviceValue, validSeconds, targetKw, cancellationToken).ConfigureAwait(false);
        _lastCommand = (deviceValue, validSeconds);

        double? readBack = ack.AppliedDeviceValue is { } applied ? location.ToEngineering(applied) : null;
        if (readBack is null && _map.Ack!.AppliedField is null)
            readBack = await SetpointFromTelemetryAsync(setpoint.Name, ack.TelemetryVersion, cancellationToken).ConfigureAwait(false);
        var confirmed = readBack is { } rb && Math.Abs(rb - value) <= location.Resolution / 2 + 1e-9;
        return new SetpointResult(powerKw, targetKw, clampedBy, value, setpoint.Unit, readBack, confirmed,
            TimeSpan.FromSeconds(validSeconds), _time.GetUtcNow());
    }

    /// <inheritdoc />
    /// <remarks>
    /// With a heartbeat topic: publishes <c>{"seq":N}</c> there (QoS 1). Without one: re-sends the last
    /// setpoint as a new command and waits for its acknowledgement, which re-arms the validity.
    /// </remarks>
    public Task RefreshWatchdogAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfReadOnly("the heartbeat");
        return GuardAsync(async () => { await RefreshWatchdogCoreAsync(cancellationToken).ConfigureAwait(false); return true; });
    }

    private async Task RefreshWatchdogCoreAsync(CancellationToken cancellationToken)
    {
        if (_topics.Heartbeat is { } topic)
        {
            await StartCoreAsync(cancellationToken).ConfigureAwait(false);
            _heartbeat = (_heartbeat + 1) % 10_000;
            var payload = JsonSerializer.SerializeToUtf8Bytes(new JsonObject { ["seq"] = _heartbeat });
            await PublishAsync(topic, payload, "heartbeat", cancellationToken).ConfigureAwait(false);
        }
        else if (_lastCommand is { } last)
        {
            var setpoint = Profile.FindRole(PointRole.Setpoint)!;
            await SendCommandAsync(last.DeviceValue, last.ValidSeconds, _map.Locations[setpoint.Name].ToEngineering(last.DeviceValue), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            foreach (var pending in _pendingAcks.Values) pending.TrySetCanceled();
            _pendingAcks.Clear();
        }
        if (_ownsConnection) await _connection.DisposeAsync().ConfigureAwait(false);
        _startLock.Dispose();
    }

    private string Who => $"{_topics.Prefix} ({_connection.Description})";

    private void ThrowIfReadOnly(string what)
    {
        if (ReadOnly) throw DeviceFailures.ReadOnly(Who, $"publish {what}");
    }

    private Task<T> GuardAsync<T>(Func<Task<T>> action) => DeviceFailures.GuardAsync(Who, action);

    /// <summary>
    /// Connects (if the shared connection is not up yet) and subscribes to the device's telemetry and
    /// acknowledgements, so values start arriving before the first read; the first read does it otherwise.
    /// </summary>
    /// <exception cref="DeviceException">The broker cannot be reached or refuses the connection or a subscription.</exception>
    public Task StartAsync(CancellationToken cancellationToken = default) =>
        GuardAsync(async () => { await StartCoreAsync(cancellationToken).ConfigureAwait(false); return true; });

    private async Task StartCoreAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _connection.EnsureConnectedAsync(cancellationToken).ConfigureAwait(false);
        if (_subscribed) return;
        await _startLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_subscribed) return;
            // Handlers are in place before SUBSCRIBE leaves; the client restores them after a reconnect.
            foreach (var topic in _topics.Telemetry.Keys)
                await _connection.Client.SubscribeAsync(topic, MqttQos.AtLeastOnce, OnTelemetryAsync, cancellationToken).ConfigureAwait(false);
            if (_topics.Ack is { } ack)
                await _connection.Client.SubscribeAsync(ack, MqttQos.AtLeastOnce, OnAckAsync, cancellationToken).ConfigureAwait(false);
            _subscribed = true;
        }
        finally
        {
            _startLock.Release();
        }
    }

    private async Task<Ack> SendCommandAsync(double deviceValue, double validSeconds, double targetKw, CancellationToken cancellationToken)
    {
        ThrowIfReadOnly($"a command on {_topics.Command}");
        var command = _map.Command!;
        await StartCoreAsync(cancellationToken).ConfigureAwait(false);
        var id = Guid.NewGuid().ToString("N");
        var body = new JsonObject();
        command.IdField.Set(body, id);
        command.ValueField.Set(body, deviceValue);
        if (command.Validity is MqttSetpointValidity.ValidFor or MqttSetpointValidity.Both) command.ValidForField.Set(body, validSeconds);
        if (command.Validity is MqttSetpointValidity.ValidUntil or MqttSetpointValidity.Both)
            command.ValidUntilField.Set(body, (_time.GetUtcNow() + TimeSpan.FromSeconds(validSeconds)).ToString("yyyy-MM-ddTHH:mm:ss.fffzzz", CultureInfo.InvariantCulture));

        // Registered before publishing: a fast device may answer before PublishAsync returns.
        var pending = new TaskCompletionSource<Ack>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate) _pendingAcks[id] = pending;
        try
        {
            using var timeout = new CancellationTokenSource(_options.AckTimeout, _options.WaitTimeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            try
            {
                await _connection.Client.PublishAsync(_topics.Command!, JsonSerializer.SerializeToUtf8Bytes(body), MqttQos.AtLeastOnce, retain: false, linked.Token).ConfigureAwait(false);
                var ack = await pending.Task.WaitAsync(linked.Token).ConfigureAwait(false);
                if (!ack.Accepted) throw new SetpointRejectedException(_topics.Prefix, targetKw, ack.Reason);
                return ack;
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new MqttDeviceTimeoutException(Who, pending.Task.IsCompleted
                    ? $"{Who} acknowledged command {id} too late"
                    : $"{Who} did not acknowledge command {id} on {_topics.Ack} within {Seconds(_options.AckTimeout)} s");
            }
        }
        finally
        {
            // A late acknowledgement then finds no pending command and is dropped: it never answers the next one.
            lock (_gate) _pendingAcks.Remove(id);
        }
    }

    // Every publish of the driver goes through here or SendCommandAsync, so the read-only lock holds for both.
    private async Task PublishAsync(string topic, byte[] payload, string what, CancellationToken cancellationToken)
    {
        ThrowIfReadOnly($"the {what} on {topic}");
        using var timeout = new CancellationTokenSource(_options.AckTimeout, _options.WaitTimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            await _connection.Client.PublishAsync(topic, payload, MqttQos.AtLeastOnce, retain: false, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new MqttDeviceTimeoutException(Who, $"the broker {_connection.Description} did not take the {what} for {_topics.Prefix} within {Seconds(_options.AckTimeout)} s");
        }
    }

    // For devices whose acknowledgement carries no applied value: the setpoint as the device reports it
    // in the first telemetry that follows the acknowledgement.
    private async Task<double?> SetpointFromTelemetryAsync(string point, long afterVersion, CancellationToken cancellationToken)
    {
        var start = _options.WaitTimeProvider.GetTimestamp();
        while (_options.WaitTimeProvider.GetElapsedTime(start) < _options.AckTimeout)
        {
            lock (_gate)
            {
                if (_telemetryVersion > afterVersion && _points.TryGetValue(point, out var state) && state.Version > afterVersion)
                    return state.Kind == MqttFieldKind.Number ? state.Value : null;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(20), _options.WaitTimeProvider, cancellationToken).ConfigureAwait(false);
        }
        return null;
    }

    private ValueTask OnTelemetryAsync(MqttApplicationMessage message, CancellationToken cancellationToken)
    {
        try
        {
            if (message.Retain)
            {
                Interlocked.Increment(ref _ignoredMessages);
                return ValueTask.CompletedTask;
            }
            if (!_topics.Telemetry.TryGetValue(message.Topic, out var relative)) return ValueTask.CompletedTask;
            if (!TryParse(message, "telemetry", out var document)) return ValueTask.CompletedTask;
            using (document)
            {
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    PayloadProblem(ref _malformedPayloads, $"telemetry on {message.Topic} is a JSON {document.RootElement.ValueKind.ToString().ToLowerInvariant()}, not an object; dropped");
                    return ValueTask.CompletedTask;
                }
                var now = _time.GetUtcNow();
                var problems = new List<string>();
                lock (_gate)
                {
                    var version = ++_telemetryVersion;
                    foreach (var point in Profile.Points)
                    {
                        var location = _map.Locations[point.Name];
                        if (location.Topic != relative || !location.Field.TryFind(document.RootElement, out var field)) continue;
                        var decoded = MqttFieldDecoder.Decode(point, location, field);
                        if (decoded.Kind == MqttFieldKind.WrongType) { problems.Add($"field '{location.Field}' ({point.Name}) {decoded.Problem}"); continue; }
                        _points[point.Name] = new PointState(decoded.Kind, decoded.Value, decoded.Text, now, version);
                    }
                    _lastTelemetryTimestamp = _options.WaitTimeProvider.GetTimestamp();
                    _telemetrySeen.Add(message.Topic);
                    // A device with several telemetry topics is complete only once each has spoken.
                    if (_telemetrySeen.Count == _topics.Telemetry.Count) _firstTelemetry.TrySetResult();
                }
                foreach (var problem in problems) PayloadProblem(ref _fieldErrors, $"telemetry on {message.Topic}: {problem}; the point keeps its last value");
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Never out of the handler: one odd message must not stop the others.
            PayloadProblem(ref _malformedPayloads, $"telemetry on {message.Topic} could not be used: {e.Message}");
        }
        return ValueTask.CompletedTask;
    }

    // A payload that is not JSON is counted and named, never thrown out of the MQTT handler.
    private bool TryParse(MqttApplicationMessage message, string what, out JsonDocument document)
    {
        try
        {
            document = JsonDocument.Parse(message.Payload);
            return true;
        }
        catch (JsonException e)
        {
            PayloadProblem(ref _malformedPayloads, $"{what} on {message.Topic} is not JSON ({e.Message}); dropped");
            document = null!;
            return false;
        }
    }

    private ValueTask OnAckAsync(MqttApplicationMessage message, CancellationToken cancellationToken)
    {
        try
        {
            if (message.Retain) { Interlocked.Increment(ref _ignoredMessages); return ValueTask.CompletedTask; }
            var format = _map.Ack!;
            if (!TryParse(message, "acknowledgement", out var document)) return ValueTask.CompletedTask;
            using (document)
            {
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object || !format.IdField.TryFind(root, out var idField) || idField.ValueKind != JsonValueKind.String)
                {
                    PayloadProblem(ref _malformedPayloads, $"acknowledgement on {message.Topic} has no string '{format.IdField}'; dropped");
                    return ValueTask.CompletedTask;
                }
                var id = idField.GetString()!;
                TaskCompletionSource<Ack>? pending;
                long version;
                lock (_gate)
                {
                    _pendingAcks.TryGetValue(id, out pending);
                    version = _telemetryVersion;
                }
                if (pending is null)
                {
                    Interlocked.Increment(ref _ignoredMessages);
                    _logger.LogDebug("{Device}: acknowledgement of command {Id} that is no longer awaited (late, or another gateway's); dropped", _topics.Prefix, id);
                    return ValueTask.CompletedTask;
                }
                if (!format.AcceptedField.TryFind(root, out var acceptedField) || acceptedField.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                {
                    PayloadProblem(ref _fieldErrors, $"acknowledgement of command {id} on {message.Topic} has no true/false '{format.AcceptedField}'");
                    pending.TrySetResult(new Ack(false, $"the acknowledgement is malformed: '{format.AcceptedField}' is missing or not true/false", null, version));
                    return ValueTask.CompletedTask;
                }
                var reason = format.ReasonField.TryFind(root, out var reasonField) && reasonField.ValueKind == JsonValueKind.String ? reasonField.GetString() : null;
                double? applied = null;
                if (format.AppliedField is { } appliedPath && appliedPath.TryFind(root, out var appliedField))
                {
                    if (appliedField.ValueKind == JsonValueKind.Number && appliedField.TryGetDouble(out var a) && double.IsFinite(a)) applied = a;
                    else if (appliedField.ValueKind != JsonValueKind.Null)
                        PayloadProblem(ref _fieldErrors, $"acknowledgement of command {id} on {message.Topic}: '{appliedPath}' is not a number");
                }
                pending.TrySetResult(new Ack(acceptedField.ValueKind == JsonValueKind.True, reason, applied, version));
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            PayloadProblem(ref _malformedPayloads, $"acknowledgement on {message.Topic} could not be used: {e.Message}");
        }
        return ValueTask.CompletedTask;
    }

    private void PayloadProblem(ref long counter, string what)
    {
        Interlocked.Increment(ref counter);
        lock (_gate) _lastPayloadError = what;
        _logger.LogWarning("{Device}: {Problem}", _topics.Prefix, what);
    }

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);

    private sealed record Ack(bool Accepted, string? Reason, double? AppliedDeviceValue, long TelemetryVersion);

    private sealed record PointState(MqttFieldKind Kind, double? Value, string? Text, DateTimeOffset ReceivedAt, long Version)
    {
        public Measurement ToMeasurement(ProfilePoint point) => Kind switch
        {
            MqttFieldKind.Absent => new Measurement(point.Name, point.Role, null, point.Unit, ReceivedAt, MeasurementQuality.Absent),
            MqttFieldKind.Text => new Measurement(point.Name, point.Role, null, point.Unit, ReceivedAt, MeasurementQuality.Good, Text),
            _ => new Measurement(point.Name, point.Role, Value, point.Unit, ReceivedAt,
                point.Limits.Contains(Value!.Value) ? MeasurementQuality.Good : MeasurementQuality.OutOfRange, Text),
        };
    }
}
