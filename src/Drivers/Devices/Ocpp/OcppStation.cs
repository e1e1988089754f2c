using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Drivers.Ocpp;

namespace Gateway.Drivers.Devices.Ocpp;

/// <summary>
/// A charging station as the gateway (its local CSMS) sees it: it answers the station's CALLs (BootNotification, Heartbeat,
/// StatusNotification, Authorize, TransactionEvent, MeterValues, NotifyEVChargingNeeds) and keeps what they said per EVSE, and it
/// holds the station's current connection for the CALLs the gateway sends (SetChargingProfile, ClearChargingProfile).
/// </summary>
/// <remarks>Payloads arrive schema-checked (<see cref="OcppRpcConnection"/>); values outside what a charger can report are dropped
/// and counted, never stored.</remarks>
public sealed class OcppStation
{
    private readonly TimeProvider _plantClock;
    private readonly TimeProvider _wallClock;
    private readonly object _gate = new();
    private readonly Dictionary<int, OcppEvseState> _evses = new();
    private readonly List<TaskCompletionSource> _meterWaiters = [];
    private readonly List<TaskCompletionSource> _connectWaiters = [];
    private OcppRpcConnection? _connection;
    private long _version;
    private long _droppedValues;

    /// <summary>Creates the station <paramref name="id"/> (the last segment of the URL it connects to).</summary>
    /// <param name="id">The station's identity.</param>
    /// <param name="plantClock">Stamps the values (the market clock).</param>
    /// <param name="wallClock">The currentTime the gateway tells the station (real time).</param>
    public OcppStation(string id, TimeProvider? plantClock = null, TimeProvider? wallClock = null)
    {
        Id = id;
        _plantClock = plantClock ?? TimeProvider.System;
        _wallClock = wallClock ?? TimeProvider.System;
    }

    /// <summary>The station's identity.</summary>
    public string Id { get; }

    /// <summary>Heartbeat interval given in the BootNotification response, seconds.</summary>
    public int HeartbeatIntervalSeconds { get; init; } = 60;

    /// <summary>The vendor and model from the BootNotification, or null before it.</summary>
    public string? Model { get; private set; }

    /// <summary>The firmware version from the BootNotification, or null.</summary>
    public string? Firmware { get; private set; }

    /// <summary>When the last message from the station arrived (plant clock), or null.</summary>
    public DateTimeOffset? LastSeen { get; private set; }

    /// <summary>Values outside what a charger can report, dropped.</summary>
    public long DroppedValues => Interlocked.Read(ref _droppedValues);

    /// <summary>The connection in use, or null while the station is away.</summary>
    public OcppRpcConnection? Connection
    {
        get { lock (_gate) return _connection is { IsOpen: true } c ? c : null; }
    }

    /// <summary>Count of messages received; a read-back waits for a higher one.</summary>
    public long Version
    {
        get { lock (_gate) return _version; }
    }

    /// <summary>A copy of what EVSE <paramref name="evse"/> last said (an empty state before it spoke).</summary>
    public OcppEvseState Evse(int evse)
    {
        lock (_gate)
        {
            if (!_evses.TryGetValue(evse, out var state)) return new OcppEvseState();
            return state.Copy();
        }
    }

    /// <summary>Takes <paramref name="connection"/> as the station's (a reconnect replaces the old one, which is closed).</summary>
    public void Attach(OcppRpcConnection connection)
    {
        OcppRpcConnection? old;
        lock (_gate)
        {
            old = _connection;
            _connection = connection;
        }
        connection.CallHandler = HandleAsync;
        lock (_gate)
        {
            foreach (var waiter in _connectWaiters) waiter.TrySetResult();
            _connectWaiters.Clear();
        }
        if (old is not null && !ReferenceEquals(old, connection)) _ = old.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.PolicyViolation, "replaced by a newer connection of the same station");
    }

    /// <summary>Waits until the station is connected.</summary>
    /// <returns>False when <paramref name="timeout"/> ran out first.</returns>
    public Task<bool> WaitForConnectionAsync(TimeSpan timeout, TimeProvider waits, CancellationToken cancellationToken) =>
        WaitAsync(() => _connection is { IsOpen: true }, _connectWaiters, timeout, waits, cancellationToken);

    /// <summary>Waits until a MeterValues or TransactionEvent with meter values newer than <paramref name="afterVersion"/> arrived.</summary>
    /// <returns>False when <paramref name="timeout"/> ran out first.</returns>
    internal Task<bool> WaitForMeterValuesAsync(long afterVersion, TimeSpan timeout, TimeProvider waits, CancellationToken cancellationToken) =>
        WaitAsync(() => _evses.Values.Any(e => e.PowerKw is { } p && p.Version > afterVersion), _meterWaiters, timeout, waits, cancellationToken);

    // done is checked under the lock; the handlers complete every waiter of the list after each change, which checks again.
    private async Task<bool> WaitAsync(Func<bool> done, List<TaskCompletionSource> waiters, TimeSpan timeout, TimeProvider waits, CancellationToken cancellationToken)
    {
        TaskCompletionSource waiter;
        lock (_gate)
        {
            if (done()) return true;
            waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            waiters.Add(waiter);
        }
        try
        {
            await waiter.Task.WaitAsync(timeout, waits, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
        finally
        {
            lock (_gate) waiters.Remove(waiter);
        }
    }

    /// <summary>Answers one CALL of the station (the connection's <see cref="OcppRpcConnection.CallHandler"/>).</summary>
    public ValueTask<JsonObject> HandleAsync(OcppCall call, CancellationToken cancellationToken)
    {
        var now = _wallClock.GetUtcNow().ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
        JsonObject reply;
        lock (_gate)
        {
            _version++;
            LastSeen = _plantClock.GetUtcNow();
            var p = call.Payload;
            switch (call.Action)
            {
                case "BootNotification":
                    Model = $"{Text(p["chargingStation"]?["vendorName"])} {Text(p["chargingStation"]?["model"])}".Trim();
                    Firmware = Text(p["chargingStation"]?["firmwareVersion"]);
                    reply = new JsonObject { ["currentTime"] = now, ["interval"] = HeartbeatIntervalSeconds, ["status"] = "Accepted" };
                    break;
                case "Heartbeat":
                    reply = new JsonObject { ["currentTime"] = now };
                    break;
                case "StatusNotification":
                {
                    var evse = State(EvseId(call.Action, p["evseId"]));
                    evse.ConnectorStatus = Text(p["connectorStatus"]);
                    if (evse.ConnectorStatus == "Available") evse.VehicleLeft();
                    reply = [];
                    break;
                }
                case "Authorize":
                    // The local CSMS admits every token: who may charge is the operator's backend's business, not the market's.
                    reply = new JsonObject { ["idTokenInfo"] = new JsonObject { ["status"] = "Accepted" } };
                    break;
                case "TransactionEvent":
                {
                    var evseId = p["evse"]?["id"] is JsonNode id ? EvseId(call.Action, id) : _evses.FirstOrDefault(e => e.Value.TransactionId == Text(p["transactionInfo"]?["transactionId"])).Key;
                    var evse = State(evseId == 0 ? 1 : evseId);
                    var type = Text(p["eventType"]);
                    evse.TransactionId = type == "Ended" ? null : Text(p["transactionInfo"]?["transactionId"]);
                    if (Text(p["transactionInfo"]?["chargingState"]) is { } cs) evse.ChargingState = cs;
                    if (p["meterValue"] is JsonArray values) TakeMeterValues(evse, values);
                    if (type == "Ended") evse.VehicleLeft();
                    reply = p["idToken"] is null ? [] : new JsonObject { ["idTokenInfo"] = new JsonObject { ["status"] = "Accepted" } };
                    break;
                }
                case "MeterValues":
                    TakeMeterValues(State(EvseId(call.Action, p["evseId"])), p["meterValue"]!.AsArray());
                    reply = [];
                    break;
                case "NotifyEVChargingNeeds":
                    TakeNeeds(State(EvseId(call.Action, p["evseId"])), p["chargingNeeds"]!.AsObject());
                    reply = new JsonObject { ["status"] = "Accepted" };
                    break;
                case "NotifyEvent" or "NotifyReport" or "SecurityEventNotification" or "FirmwareStatusNotification" or "LogStatusNotification" or "NotifyChargingLimit" or "ClearedChargingLimit" or "ReportChargingProfiles":
                    // Taken and acknowledged; nothing in them moves the market.
                    reply = [];
                    break;
                default:
                    throw new OcppCallErrorException(call.Action, OcppErrorCode.NotImplemented, $"the gateway's local CSMS does not handle {call.Action}");
            }
        }
        return ValueTask.FromResult(reply);
    }

    // EVSE ids are small: anything else is refused before it becomes a key of the station's state.
    private static int EvseId(string action, JsonNode? node) =>
        node is JsonValue v && v.TryGetValue(out decimal d) && d == Math.Floor(d) && d is >= 0 and <= 1000
            ? (int)d
            : throw new OcppCallErrorException(action, OcppErrorCode.PropertyConstraintViolation, $"evseId {node?.ToJsonString()} is not an EVSE id (0–1000)");

    private OcppEvseState State(int evse)
    {
        if (!_evses.TryGetValue(evse, out var state)) _evses[evse] = state = new OcppEvseState();
        return state;
    }

    private void TakeMeterValues(OcppEvseState evse, JsonArray meterValues)
    {
        var now = _plantClock.GetUtcNow();
        double? import = null, export = null;
        foreach (var meterValue in meterValues)
        {
            if (meterValue?["sampledValue"] is not JsonArray samples) continue;
            foreach (var measurand in Measurands(samples))
            {
                var (name, value) = measurand;
                switch (name)
                {
                    case "Power.Active.Import": import = value / 1000; break;
                    case "Power.Active.Export": export = value / 1000; break;
                    case "Energy.Active.Import.Register": Keep(value / 1000, 0, 1e9, v => evse.EnergyImportedKwh = new OcppSample(v, now, _version)); break;
                    case "Energy.Active.Export.Register": Keep(value / 1000, 0, 1e9, v => evse.EnergyExportedKwh = new OcppSample(v, now, _version)); break;
                    case "SoC": Keep(value, 0, 100, v => evse.SocPercent = new OcppSample(v, now, _version)); break;
                    // The setpoint in force, OCPP-signed (charging positive); 2.0.1 stations report the limit offered instead.
                    case "Power.Active.Setpoint": Keep(-value / 1000, -1000, 1000, v => evse.SetpointKw = new OcppSample(v, now, _version)); break;
                    case "Power.Offered": if (evse.SetpointKw is not { } s || s.Version < _version) Keep(-value / 1000, -1000, 0, v => evse.SetpointKw = new OcppSample(v, now, _version)); break;
                }
            }
        }
        if (import is not null || export is not null)
        {
            // Positive = delivered to the grid: export minus import (a 2.1 station may report a signed import instead).
            Keep((export ?? 0) - (import ?? 0), -1000, 1000, v => evse.PowerKw = new OcppSample(v, now, _version));
            foreach (var waiter in _meterWaiters) waiter.TrySetResult();
        }
    }

    // Each measurand once per meter value: the value without a phase, else the sum of L1–L3 (phase-to-neutral values).
    private static IEnumerable<(string Name, double Value)> Measurands(JsonArray samples)
    {
        var total = new Dictionary<string, double>(StringComparer.Ordinal);
        var phases = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var sample in samples)
        {
            if (sample is not JsonObject s || s["value"] is not JsonValue v || !v.TryGetValue(out double value)) continue;
            var name = Text(s["measurand"]) ?? "Energy.Active.Import.Register";
            var unit = Text(s["unitOfMeasure"]?["unit"]);
            var multiplier = s["unitOfMeasure"]?["multiplier"] is JsonValue m && m.TryGetValue(out int mul) ? mul : 0;
            value *= Math.Pow(10, multiplier);
            if (unit is "kW" or "kWh") value *= 1000;
            var phase = Text(s["phase"]);
            if (phase is null) total[name] = value;
            else if (phase is "L1" or "L2" or "L3" or "L1-N" or "L2-N" or "L3-N") phases[name] = phases.GetValueOrDefault(name) + value;
        }
        foreach (var (name, value) in phases) total.TryAdd(name, value);
        return total.Select(kv => (kv.Key, kv.Value));
    }

    private void TakeNeeds(OcppEvseState evse, JsonObject needs)
    {
        if (needs["v2xChargingParameters"] is JsonObject v2x)
        {
            if (Number(v2x["maxChargePower"]) is { } c) Keep(c / 1000, 0, 1000, v => evse.Vehicle = evse.Vehicle with { MaxChargeKw = v });
            if (Number(v2x["maxDischargePower"]) is { } d) Keep(Math.Abs(d) / 1000, 0, 1000, v => evse.Vehicle = evse.Vehicle with { MaxDischargeKw = v });
            if (Number(v2x["targetSoC"]) is { } t) Keep(t, 0, 100, v => evse.Vehicle = evse.Vehicle with { TargetSocPercent = v });
        }
        if (needs["dcChargingParameters"] is JsonObject dc)
        {
            if (evse.Vehicle.MaxChargeKw is null && Number(dc["evMaxPower"]) is { } c) Keep(c / 1000, 0, 1000, v => evse.Vehicle = evse.Vehicle with { MaxChargeKw = v });
            if (Number(dc["evEnergyCapacity"]) is { } cap) Keep(cap / 1000, 0.1, 1000, v => evse.Vehicle = evse.Vehicle with { CapacityKwh = v });
            if (Number(dc["stateOfCharge"]) is { } soc) Keep(soc, 0, 100, v => evse.SocPercent = new OcppSample(v, _plantClock.GetUtcNow(), _version));
            if (evse.Vehicle.TargetSocPercent is null && Number(dc["fullSoC"]) is { } full) Keep(full, 0, 100, v => evse.Vehicle = evse.Vehicle with { TargetSocPercent = v });
        }
        if (needs["acChargingParameters"] is JsonObject ac && evse.Vehicle.MaxChargeKw is null
            && Number(ac["evMaxCurrent"]) is { } amps && Number(ac["evMaxVoltage"]) is { } volts)
            Keep(amps * volts / 1000, 0, 1000, v => evse.Vehicle = evse.Vehicle with { MaxChargeKw = v });
        if (Text(needs["departureTime"]) is { } departure && DateTimeOffset.TryParse(departure, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
            evse.Vehicle = evse.Vehicle with { Departure = at };
    }

    private void Keep(double value, double min, double max, Action<double> store)
    {
        if (double.IsFinite(value) && value >= min - 1e-9 && value <= max + 1e-9) store(value);
        else Interlocked.Increment(ref _droppedValues);
    }

    private static double? Number(JsonNode? node) => node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out double d) ? d : null;

    private static string? Text(JsonNode? node) => node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
}
