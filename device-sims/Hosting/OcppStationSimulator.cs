using System.Globalization;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using Gateway.DeviceSims.Devices;
using Gateway.Drivers.Devices;
using Gateway.Drivers.Devices.Ocpp;
using Gateway.Drivers.Modbus;
using Gateway.Drivers.Ocpp;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.DeviceSims.Hosting;

/// <summary>
/// The OCPP face of a simulated charger: a charging station that dials its CSMS (the gateway) as OCPP 2.1 or 2.0.1, boots,
/// reports its connector, starts a transaction while the vehicle is plugged in (Authorize, TransactionEvent, NotifyEVChargingNeeds),
/// sends meter values from the charger's physics, and applies SetChargingProfile / ClearChargingProfile to the charger's register
/// image exactly as a Modbus write would arrive — so the ramp, the limits and the fallback to 0 kW when the profile's validTo
/// passes hold over OCPP too.
/// </summary>
/// <remarks>Redials with backoff while the CSMS is away (a real station does). Every message goes through the same schema checks
/// as the gateway's.</remarks>
public sealed class OcppStationSimulator : IAsyncDisposable
{
    private readonly SimulatedRig _rig;
    private readonly SimulatedDevice _device;
    private readonly OcppStationUrl _url;
    private readonly IReadOnlyList<string> _subprotocols;
    private readonly TimeSpan _meterPeriod;
    private readonly string? _password;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly int _evse;
    private Task? _loop;
    private OcppRpcConnection? _connection;
    private string? _transactionId;
    private int _seqNo;
    private int _transactions;
    private long _profilesApplied;
    private long _profilesRejected;
    private int _disposed;
    private readonly TaskCompletionSource _booted = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Prepares the station; nothing dials until <see cref="Start"/>.</summary>
    /// <param name="rig">The rig (its gate and clock).</param>
    /// <param name="device">A simulated charger whose wire profile has an <c>ocpp</c> part.</param>
    /// <param name="url">Where to dial.</param>
    /// <param name="meterPeriod">Real time between two meter values.</param>
    /// <param name="version">Only this version (default: offer 2.1, then 2.0.1).</param>
    /// <param name="password">HTTP Basic password (security profiles 1 and 2).</param>
    /// <param name="logger">Receives connection problems.</param>
    public OcppStationSimulator(SimulatedRig rig, SimulatedDevice device, OcppStationUrl url, TimeSpan meterPeriod, OcppVersion? version = null,
        string? password = null, ILogger? logger = null)
    {
        _rig = rig;
        _device = device as SimulatedCharger ?? throw new ArgumentException($"device '{device.Id}' is not a charger: only chargers speak OCPP", nameof(device));
        _evse = device.WireProfile.Ocpp?.Evse ?? throw new ArgumentException($"device '{device.Id}': profile '{device.WireProfile.Name}' has no 'ocpp' part", nameof(device));
        _url = url;
        _meterPeriod = meterPeriod;
        _subprotocols = version is { } v ? [v.Subprotocol()] : OcppVersions.Subprotocols;
        _password = password;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The URL the station dials.</summary>
    public OcppStationUrl Url => _url;

    /// <summary>The version agreed on the current connection, or null.</summary>
    public OcppVersion? Version => _connection?.Version;

    /// <summary>Charging profiles applied.</summary>
    public long ProfilesApplied => Interlocked.Read(ref _profilesApplied);

    /// <summary>Charging profiles rejected.</summary>
    public long ProfilesRejected => Interlocked.Read(ref _profilesRejected);

    /// <summary>Completes when the CSMS has accepted the station's first BootNotification.</summary>
    public Task Booted => _booted.Task;

    /// <summary>Starts dialling (and redialling) the CSMS.</summary>
    public void Start() => _loop ??= RunAsync(_stop.Token);

    /// <summary>Sends meter values now (tests; the loop does it every period).</summary>
    public Task SendMeterValuesAsync(CancellationToken cancellationToken = default) =>
        _connection is { IsOpen: true } c ? MeterValuesAsync(c, "Trigger", cancellationToken) : Task.CompletedTask;

    /// <inheritdoc />
    /// <remarks>Idempotent: a test may switch a station off (its link to the gateway gone) before the rig host stops the rest.</remarks>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        _stop.Cancel();
        if (_connection is { } c) await c.CloseAsync(WebSocketCloseStatus.NormalClosure, "station stops").ConfigureAwait(false);
        if (_loop is not null)
        {
            try { await _loop.ConfigureAwait(false); }
            catch (OperationCanceledException) { }
        }
        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromMilliseconds(200);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var socket = new ClientWebSocket();
                foreach (var p in _subprotocols) socket.Options.AddSubProtocol(p);
                if (_password is not null)
                    socket.Options.SetRequestHeader("Authorization", "Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{_url.StationId}:{_password}")));
                await socket.ConnectAsync(new Uri(_url.ToString()), cancellationToken).ConfigureAwait(false);
                if (!OcppVersions.TryParse(socket.SubProtocol, out var version))
                    throw new WebSocketException($"the CSMS agreed on subprotocol '{socket.SubProtocol}'");
                var connection = new OcppRpcConnection(socket, version, _url.ToString(), logger: _logger) { CallHandler = HandleAsync };
                _connection = connection;
                delay = TimeSpan.FromMilliseconds(200);
                var receive = connection.RunAsync(cancellationToken);
                try
                {
                    await SessionAsync(connection, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is OcppCommunicationException or OcppTimeoutException or OcppCallErrorException)
                {
                    _logger.LogInformation("{Station}: {Error}", _url.StationId, e.Message);
                }
                catch (ArgumentException e)
                {
                    // A message of ours that fails its own schema: a bug, logged; the station redials rather than dies.
                    _logger.LogError("{Station}: {Error}", _url.StationId, e.Message);
                }
                await connection.CloseAsync().ConfigureAwait(false);
                await receive.ConfigureAwait(false);
                _transactionId = null;
            }
            catch (Exception e) when (e is WebSocketException or HttpRequestException or IOException)
            {
                _logger.LogDebug("{Station}: cannot reach the CSMS at {Url}: {Error}", _url.StationId, _url, e.Message);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            try
            {
                await Task.Delay(delay, TimeProvider.System, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(2).Ticks));
        }
    }

    private async Task SessionAsync(OcppRpcConnection c, CancellationToken cancellationToken)
    {
        var boot = await c.CallAsync("BootNotification", new JsonObject
        {
            ["reason"] = "PowerUp",
            ["chargingStation"] = new JsonObject { ["vendorName"] = "device-sims", ["model"] = "SimulatedV2XCharger", ["firmwareVersion"] = "1.0" },
        }, cancellationToken).ConfigureAwait(false);
        if ((string?)boot["status"] != "Accepted") throw new OcppCallErrorException("BootNotification", OcppErrorCode.SecurityError, $"the CSMS answered {(string?)boot["status"]}");
        _booted.TrySetResult();
        var plugged = false;
        await StatusAsync(c, "Available", cancellationToken).ConfigureAwait(false);
        while (!cancellationToken.IsCancellationRequested && c.IsOpen)
        {
            bool now;
            lock (_rig.Gate)
            {
                _rig.AdvanceTo(_rig.Clock.Now);
                now = ((SimulatedCharger)_device).Plugged;
            }
            if (now && !plugged) await PlugInAsync(c, cancellationToken).ConfigureAwait(false);
            else if (!now && plugged) await UnplugAsync(c, cancellationToken).ConfigureAwait(false);
            plugged = now;
            await MeterValuesAsync(c, "MeterValuePeriodic", cancellationToken).ConfigureAwait(false);
            await Task.Delay(_meterPeriod, TimeProvider.System, cancellationToken).ConfigureAwait(false);
        }
    }

    private Task StatusAsync(OcppRpcConnection c, string status, CancellationToken cancellationToken) =>
        c.CallAsync("StatusNotification", new JsonObject
        {
            ["timestamp"] = Stamp(Wall), ["connectorStatus"] = status, ["evseId"] = _evse, ["connectorId"] = 1,
        }, cancellationToken);

    private async Task PlugInAsync(OcppRpcConnection c, CancellationToken cancellationToken)
    {
        await StatusAsync(c, "Occupied", cancellationToken).ConfigureAwait(false);
        var token = new JsonObject { ["idToken"] = $"{_device.Id}-EV", ["type"] = "eMAID" };
        await c.CallAsync("Authorize", new JsonObject { ["idToken"] = token.DeepClone() }, cancellationToken).ConfigureAwait(false);
        _transactionId = $"{_url.StationId}-{Interlocked.Increment(ref _transactions)}-{Wall.ToUnixTimeSeconds()}";
        await c.CallAsync("TransactionEvent", new JsonObject
        {
            ["eventType"] = "Started", ["timestamp"] = Stamp(Wall), ["triggerReason"] = "Authorized", ["seqNo"] = _seqNo++,
            ["transactionInfo"] = new JsonObject { ["transactionId"] = _transactionId, ["chargingState"] = "EVConnected" },
            ["idToken"] = token, ["evse"] = new JsonObject { ["id"] = _evse, ["connectorId"] = 1 }, ["meterValue"] = SampledValues(c.Version),
        }, cancellationToken).ConfigureAwait(false);
        await c.CallAsync("NotifyEVChargingNeeds", new JsonObject { ["evseId"] = _evse, ["chargingNeeds"] = Needs(c.Version) }, cancellationToken).ConfigureAwait(false);
    }

    private async Task UnplugAsync(OcppRpcConnection c, CancellationToken cancellationToken)
    {
        if (_transactionId is { } tx)
        {
            await c.CallAsync("TransactionEvent", new JsonObject
            {
                ["eventType"] = "Ended", ["timestamp"] = Stamp(Wall), ["triggerReason"] = "EVDeparted", ["seqNo"] = _seqNo++,
                ["transactionInfo"] = new JsonObject { ["transactionId"] = tx, ["stoppedReason"] = "EVDisconnected" },
                ["evse"] = new JsonObject { ["id"] = _evse, ["connectorId"] = 1 }, ["meterValue"] = SampledValues(c.Version),
            }, cancellationToken).ConfigureAwait(false);
            _transactionId = null;
        }
        await StatusAsync(c, "Available", cancellationToken).ConfigureAwait(false);
    }

    private async Task MeterValuesAsync(OcppRpcConnection c, string reason, CancellationToken cancellationToken)
    {
        if (_transactionId is { } tx)
        {
            double power;
            lock (_rig.Gate) power = _device.Image.Get("PowerKw") ?? 0;
            await c.CallAsync("TransactionEvent", new JsonObject
            {
                ["eventType"] = "Updated", ["timestamp"] = Stamp(Wall), ["triggerReason"] = reason == "Trigger" ? "Trigger" : reason == "ChargingRateChanged" ? "ChargingRateChanged" : "MeterValuePeriodic",
                ["seqNo"] = _seqNo++,
                ["transactionInfo"] = new JsonObject { ["transactionId"] = tx, ["chargingState"] = Math.Abs(power) > 0.05 ? "Charging" : "SuspendedEVSE" },
                ["evse"] = new JsonObject { ["id"] = _evse, ["connectorId"] = 1 }, ["meterValue"] = SampledValues(c.Version),
            }, cancellationToken).ConfigureAwait(false);
        }
        else
            await c.CallAsync("MeterValues", new JsonObject { ["evseId"] = _evse, ["meterValue"] = SampledValues(c.Version) }, cancellationToken).ConfigureAwait(false);
    }

    private JsonArray SampledValues(OcppVersion version)
    {
        double power, imported, exported, setpoint;
        double? soc;
        lock (_rig.Gate)
        {
            _rig.AdvanceTo(_rig.Clock.Now);
            var image = _device.Image;
            power = image.Get("PowerKw") ?? 0;
            imported = image.Get("EnergyImportedKwh") ?? 0;
            exported = image.Get("EnergyExportedKwh") ?? 0;
            setpoint = image.Get("SetpointKw") ?? 0;
            soc = image.Get("SocPercent");
        }
        // OCPP counts charging positive; the charger's image counts delivery to the grid positive.
        var values = new JsonArray
        {
            Sample(Math.Round(Math.Max(0, -power) * 1000, 1), "Power.Active.Import", "W"),
            Sample(Math.Round(Math.Max(0, power) * 1000, 1), "Power.Active.Export", "W"),
            Sample(Math.Round(imported * 1000, 1), "Energy.Active.Import.Register", "Wh"),
            Sample(Math.Round(exported * 1000, 1), "Energy.Active.Export.Register", "Wh"),
            version == OcppVersion.Ocpp21
                ? Sample(Math.Round(-setpoint * 1000), "Power.Active.Setpoint", "W")
                : Sample(Math.Round(Math.Max(0, -setpoint) * 1000), "Power.Offered", "W"),
        };
        if (soc is { } s) values.Add(Sample(s, "SoC", "Percent"));
        return [new JsonObject { ["timestamp"] = Stamp(Wall), ["sampledValue"] = values }];
    }

    private static JsonObject Sample(double value, string measurand, string unit) =>
        new() { ["value"] = value == 0 ? 0 : value, ["measurand"] = measurand, ["unitOfMeasure"] = new JsonObject { ["unit"] = unit } };

    private JsonObject Needs(OcppVersion version)
    {
        double minKw, maxKw, capacity, target, minutes, soc;
        lock (_rig.Gate)
        {
            var image = _device.Image;
            minKw = image.Get("MinPowerKw") ?? 0;
            maxKw = image.Get("MaxPowerKw") ?? 0;
            capacity = image.Get("EvCapacityKwh") ?? 0;
            target = image.Get("EvTargetSocPercent") ?? 100;
            minutes = image.Get("MinutesToDeparture") ?? 0;
            soc = image.Get("SocPercent") ?? 0;
        }
        var dc = new JsonObject
        {
            ["evMaxCurrent"] = Math.Ceiling(-minKw * 1000 / 400), ["evMaxVoltage"] = 400, ["evEnergyCapacity"] = capacity * 1000,
            ["stateOfCharge"] = (int)Math.Round(soc), ["fullSoC"] = (int)Math.Round(target),
        };
        if (version == OcppVersion.Ocpp201) dc["evMaxPower"] = -minKw * 1000;
        var needs = new JsonObject
        {
            ["requestedEnergyTransfer"] = version == OcppVersion.Ocpp21 && maxKw > 0 ? "DC_BPT" : "DC",
            ["departureTime"] = Stamp(Wall + TimeSpan.FromMinutes(minutes / TimeScale)),
            ["dcChargingParameters"] = dc,
        };
        if (version == OcppVersion.Ocpp21)
            needs["v2xChargingParameters"] = new JsonObject { ["maxChargePower"] = -minKw * 1000, ["maxDischargePower"] = maxKw * 1000, ["targetSoC"] = (int)Math.Round(target) };
        return needs;
    }

    private ValueTask<JsonObject> HandleAsync(OcppCall call, CancellationToken cancellationToken)
    {
        var reply = call.Action switch
        {
            "SetChargingProfile" => SetChargingProfile(call.Payload),
            "ClearChargingProfile" => ClearChargingProfile(),
            _ => throw new OcppCallErrorException(call.Action, OcppErrorCode.NotImplemented, $"the simulated station does not handle {call.Action}"),
        };
        // The new rate shows at once, as a station reports a ChargingRateChanged.
        if (_connection is { } c && call.Action is "SetChargingProfile" or "ClearChargingProfile")
            _ = Task.Run(async () =>
            {
                try { await MeterValuesAsync(c, "ChargingRateChanged", CancellationToken.None).ConfigureAwait(false); }
                catch (Exception e) when (e is OcppCommunicationException or OcppTimeoutException or OcppCallErrorException) { }
            }, CancellationToken.None);
        return ValueTask.FromResult(reply);
    }

    private JsonObject SetChargingProfile(JsonObject request)
    {
        var profile = request["chargingProfile"]!.AsObject();
        var purpose = (string?)profile["chargingProfilePurpose"];
        if (purpose is not ("TxProfile" or "TxDefaultProfile")) return Rejected("UnsupportedPurpose");
        if (purpose == "TxProfile" && (string?)profile["transactionId"] != _transactionId) return Rejected("TxNotFound");
        var schedule = profile["chargingSchedule"]!.AsArray()[0]!.AsObject();
        if ((string?)schedule["chargingRateUnit"] != "W") return Rejected("UnsupportedRateUnit");
        var period = schedule["chargingSchedulePeriod"]!.AsArray()[0]!.AsObject();
        // OCPP W, charging positive → the charger's kW, delivery positive. A limit is what the (eager) EV then charges at.
        var ocppW = (string?)period["operationMode"] == "CentralSetpoint" && period["setpoint"] is JsonValue sp ? (double)sp : (double?)period["limit"] ?? 0;
        var kw = -ocppW / 1000;
        var validSeconds = profile["validTo"] is JsonValue to && DateTimeOffset.TryParse((string?)to, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var until)
            ? (until - Wall).TotalSeconds * TimeScale : 600;
        if (validSeconds < 1) return Rejected("InvalidSchedule", "validTo has passed");
        lock (_rig.Gate)
        {
            _rig.AdvanceTo(_rig.Clock.Now);
            var image = _device.Image;
            var code = image.Write("WatchdogSeconds", Math.Min(600, Math.Ceiling(validSeconds)));
            if (code == ModbusExceptionCode.None) code = image.Write("SetpointKw", Math.Round(kw, 3));
            _device.Publish();
            if (code != ModbusExceptionCode.None)
            {
                Interlocked.Increment(ref _profilesRejected);
                return Rejected("InvalidValue", string.Create(CultureInfo.InvariantCulture, $"{kw:0.###} kW is outside what the charger accepts"));
            }
        }
        Interlocked.Increment(ref _profilesApplied);
        return new JsonObject { ["status"] = "Accepted" };
    }

    private JsonObject ClearChargingProfile()
    {
        lock (_rig.Gate)
        {
            _rig.AdvanceTo(_rig.Clock.Now);
            _device.Image.Write("SetpointKw", 0);
            _device.Publish();
        }
        return new JsonObject { ["status"] = "Accepted" };
    }

    private JsonObject Rejected(string reason, string? info = null)
    {
        Interlocked.Increment(ref _profilesRejected);
        var status = new JsonObject { ["reasonCode"] = reason };
        if (info is not null) status["additionalInfo"] = info;
        return new JsonObject { ["status"] = "Rejected", ["statusInfo"] = status };
    }

    // What reaches the CSMS is on wall time; the plant's clock runs TimeScale times faster.
    private static DateTimeOffset Wall => TimeProvider.System.GetUtcNow();

    private double TimeScale => _rig.Definition.TimeScale;

    private static string Stamp(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
}
