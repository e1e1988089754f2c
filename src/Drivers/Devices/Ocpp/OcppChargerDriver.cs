using System.Globalization;
using System.Text.Json.Nodes;
using Gateway.Drivers.Ocpp;

namespace Gateway.Drivers.Devices.Ocpp;

/// <summary>
/// The driver of a charging pile that speaks OCPP to the gateway's local endpoint: the same contract as the Modbus and MQTT
/// chargers. Reads come from what the station last reported (MeterValues, TransactionEvent, StatusNotification,
/// NotifyEVChargingNeeds); a setpoint is a SetChargingProfile (TxProfile of the running transaction, or TxDefaultProfile without
/// one) valid until now + its validity, confirmed by the station's Accepted and read back from the next MeterValues.
/// </summary>
/// <remarks>
/// <para>Sign: the gateway's positive = delivered to the grid; OCPP limits and setpoints count charging positive. Over OCPP 2.0.1
/// a pile only takes charging limits, so its setpoints are clamped to ≤ 0 kW (it buys, never sells). Over 2.1, with
/// <c>v2x: true</c> in the profile and a vehicle that offers discharge power, a setpoint is a 2.1 <c>CentralSetpoint</c>
/// period with the matching charge and discharge limits.</para>
/// <para>The profile's <c>validTo</c> is the station's own fail-safe: if the gateway stops renewing it (<see cref="RefreshWatchdogAsync"/>
/// re-sends it), the station drops back to its default by itself.</para>
/// </remarks>
public sealed class OcppChargerDriver : IDeviceDriver
{
    /// <summary>Id of the charging profiles this driver installs, per EVSE (re-sends replace the profile in force).</summary>
    public const int ProfileIdBase = 9100;

    private readonly OcppStation _station;
    private readonly OcppChargerMap _map;
    private readonly TimeProvider _time;
    private readonly OcppChargerDriverOptions _options;
    private readonly Func<CancellationToken, Task>? _ensureEndpoint;
    private (double TargetKw, double ValidSeconds)? _lastSetpoint;
    private bool _firstValuesWaited;

    /// <summary>Creates the driver of EVSE <c>profile.ocpp.evse</c> of <paramref name="station"/>.</summary>
    /// <param name="station">The station (from the endpoint's registry).</param>
    /// <param name="profile">A profile with an <c>ocpp:</c> part.</param>
    /// <param name="timeProvider">The market clock: measurement stamps and the profile's validity.</param>
    /// <param name="options">Waits.</param>
    /// <param name="ensureEndpoint">Starts the gateway's OCPP endpoint if it is not listening yet (called before every use).</param>
    /// <exception cref="ArgumentException">The profile has no OCPP part.</exception>
    public OcppChargerDriver(OcppStation station, DeviceProfile profile, TimeProvider? timeProvider = null, OcppChargerDriverOptions? options = null,
        Func<CancellationToken, Task>? ensureEndpoint = null)
    {
        _ensureEndpoint = ensureEndpoint;
        _station = station;
        Profile = profile;
        _map = profile.Ocpp ?? throw new ArgumentException($"profile '{profile.Name}' has no 'ocpp' part", nameof(profile));
        _time = timeProvider ?? TimeProvider.System;
        _options = (options ?? new OcppChargerDriverOptions()).Validate();
    }

    /// <inheritdoc />
    public DeviceProfile Profile { get; }

    /// <inheritdoc />
    public bool ReadOnly { get; init; }

    /// <summary>
    /// The wall clock: a profile's validFrom/validTo and the vehicle's departure travel on wall time, whatever the market clock does
    /// (default: the system's).
    /// </summary>
    public TimeProvider WallClock { get; init; } = TimeProvider.System;

    /// <summary>Market seconds per wall second (a bench's accelerated clock; 1 in the field): converts validities and departures.</summary>
    public double TimeScale { get; init; } = 1;

    /// <summary>The station this driver reads.</summary>
    public OcppStation Station => _station;

    private string Who => $"OCPP station {_station.Id} (EVSE {_map.Evse})";

    private int ProfileId => ProfileIdBase + _map.Evse;

    /// <inheritdoc />
    public async Task<DeviceReading> ReadAsync(CancellationToken cancellationToken = default)
    {
        await EnsureEndpointAsync(cancellationToken).ConfigureAwait(false);
        if (!_firstValuesWaited && _station.Connection is null)
        {
            // Stations dial in by themselves, after the endpoint starts: give the first one a moment.
            await _station.WaitForConnectionAsync(_options.FirstValuesTimeout, _options.WaitTimeProvider, cancellationToken).ConfigureAwait(false);
        }
        var connection = RequireConnection();
        if (!_firstValuesWaited)
        {
            // A station that just connected may not have sent meter values yet: give it a moment, then read what it said.
            await _station.WaitForMeterValuesAsync(-1, _options.FirstValuesTimeout, _options.WaitTimeProvider, cancellationToken).ConfigureAwait(false);
            _firstValuesWaited = true;
        }
        return Snapshot(connection.Version);
    }

    /// <inheritdoc />
    /// <exception cref="SetpointRejectedException">The station answered Rejected.</exception>
    /// <exception cref="DeviceException">Read-only, the station is away, it answered with a CALLERROR, or it did not answer in time.</exception>
    public async Task<SetpointResult> WriteSetpointAsync(double powerKw, TimeSpan validFor, CancellationToken cancellationToken = default)
    {
        ThrowIfReadOnly("a charging profile");
        if (!double.IsFinite(powerKw)) throw new DeviceException(DeviceErrorKind.BadValue, Who, $"{Who}: a setpoint must be a finite number of kW, not {powerKw}", false);
        var setpoint = Profile.FindRole(PointRole.Setpoint)
            ?? throw new DeviceException(DeviceErrorKind.BadValue, Who, $"profile '{Profile.Name}' has no setpoint point", false);
        var reading = await ReadAsync(cancellationToken).ConfigureAwait(false);
        var bounds = SetpointBounds.From(setpoint, reading, _map.RatingKw);
        var (targetKw, clampedBy) = bounds.Clamp(powerKw);
        // OCPP limits go in whole watts; rounding never steps outside a bound.
        targetKw = Math.Round(targetKw * 1000) / 1000;
        if (targetKw > bounds.HighKw) targetKw = Math.Floor(bounds.HighKw * 1000) / 1000;
        if (targetKw < bounds.LowKw) targetKw = Math.Ceiling(bounds.LowKw * 1000) / 1000;
        var validSeconds = Math.Max(1, Math.Ceiling(validFor.TotalSeconds));
        if (Profile.FindRole(PointRole.Watchdog) is { } watchdog) validSeconds = Math.Max(1, watchdog.Limits.Clamp(validSeconds));

        await SendProfileAsync(targetKw, validSeconds, cancellationToken).ConfigureAwait(false);
        var sentAt = _station.Version;
        _lastSetpoint = (targetKw, validSeconds);

        // Read back: the setpoint in force as the station reports it in the meter values after its answer. A station may send
        // values it sampled before it applied the profile after its answer (a periodic report queued behind it), so the driver
        // listens on until one shows the new setpoint or the read-back time is up; the last value reported is the read-back.
        double? readBack = null;
        var confirmed = false;
        var seen = sentAt;
        var waits = _options.WaitTimeProvider;
        var until = waits.GetUtcNow() + _options.ReadBackTimeout;
        while (!confirmed && until - waits.GetUtcNow() is { Ticks: > 0 } left
               && await _station.WaitForMeterValuesAsync(seen, left, waits, cancellationToken).ConfigureAwait(false))
        {
            seen = _station.Version;
            if (_station.Evse(_map.Evse).SetpointKw is { } reported && reported.Version > sentAt)
            {
                readBack = reported.Value;
                confirmed = Math.Abs(reported.Value - targetKw) <= 0.0015;
            }
        }
        return new SetpointResult(powerKw, targetKw, clampedBy, targetKw, "kW", readBack, confirmed, TimeSpan.FromSeconds(validSeconds), _time.GetUtcNow());
    }

    /// <inheritdoc />
    /// <remarks>Re-sends the setpoint in force with a fresh validTo (OCPP has no heartbeat from the CSMS to the station).</remarks>
    public async Task RefreshWatchdogAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfReadOnly("a charging profile");
        if (_lastSetpoint is { } last) await SendProfileAsync(last.TargetKw, last.ValidSeconds, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Removes the gateway's charging profile from the EVSE (ClearChargingProfile): the station falls back to its own default.
    /// Used when the gateway isolates the device.
    /// </summary>
    /// <returns>The station's status (Accepted, or Unknown when no such profile was installed).</returns>
    public async Task<string> ClearAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfReadOnly("ClearChargingProfile");
        var connection = RequireConnection();
        _lastSetpoint = null;
        var response = await CallAsync(connection, "ClearChargingProfile", new JsonObject { ["chargingProfileId"] = ProfileId }, cancellationToken).ConfigureAwait(false);
        return (string?)response["status"] ?? "Unknown";
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private async Task SendProfileAsync(double targetKw, double validSeconds, CancellationToken cancellationToken)
    {
        var connection = RequireConnection();
        var evse = _station.Evse(_map.Evse);
        // The station keeps wall time: the validity (market seconds) is that many wall seconds divided by the time scale.
        var now = WallClock.GetUtcNow();
        var validWall = TimeSpan.FromSeconds(Math.Max(1, validSeconds / TimeScale));
        // OCPP counts charging positive, in W.
        var ocppW = Math.Round(-targetKw * 1000);
        var period = new JsonObject { ["startPeriod"] = 0, ["limit"] = Math.Max(0, ocppW) };
        if (connection.Version == OcppVersion.Ocpp21 && _map.V2x)
        {
            period["operationMode"] = "CentralSetpoint";
            period["setpoint"] = ocppW;
            period["dischargeLimit"] = Math.Min(0, ocppW);
        }
        var profile = new JsonObject
        {
            ["id"] = ProfileId,
            ["stackLevel"] = 1,
            ["chargingProfilePurpose"] = evse.TransactionId is null ? "TxDefaultProfile" : "TxProfile",
            ["chargingProfileKind"] = "Absolute",
            ["validFrom"] = Stamp(now),
            ["validTo"] = Stamp(now + validWall),
            ["chargingSchedule"] = new JsonArray(new JsonObject
            {
                ["id"] = ProfileId,
                ["startSchedule"] = Stamp(now),
                ["chargingRateUnit"] = "W",
                ["chargingSchedulePeriod"] = new JsonArray(period),
            }),
        };
        if (evse.TransactionId is { } tx) profile["transactionId"] = tx;
        var response = await CallAsync(connection, "SetChargingProfile", new JsonObject { ["evseId"] = _map.Evse, ["chargingProfile"] = profile }, cancellationToken).ConfigureAwait(false);
        if ((string?)response["status"] != "Accepted")
        {
            var reason = response["statusInfo"] is JsonObject info ? $"{(string?)info["reasonCode"]} {(string?)info["additionalInfo"]}".Trim() : "Rejected";
            throw new SetpointRejectedException(Who, targetKw, reason);
        }
    }

    private async Task<JsonObject> CallAsync(OcppRpcConnection connection, string action, JsonObject payload, CancellationToken cancellationToken)
    {
        try
        {
            return await connection.CallAsync(action, payload, cancellationToken).ConfigureAwait(false);
        }
        catch (OcppCallErrorException e)
        {
            throw new DeviceException(DeviceErrorKind.Refused, Who, $"{Who} refused {action}: {e.ErrorCode} {e.Description}", false, e);
        }
        catch (OcppTimeoutException e)
        {
            throw new DeviceException(DeviceErrorKind.Timeout, Who, $"{Who}: {e.Message}", true, e);
        }
        catch (OcppCommunicationException e)
        {
            throw new DeviceException(DeviceErrorKind.Unreachable, Who, $"{Who}: {e.Message}", true, e);
        }
    }

    private async Task EnsureEndpointAsync(CancellationToken cancellationToken)
    {
        if (_ensureEndpoint is null) return;
        try
        {
            await _ensureEndpoint(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw new DeviceException(DeviceErrorKind.Unreachable, Who, $"{Who}: {e.Message}", false, e);
        }
    }

    private OcppRpcConnection RequireConnection() =>
        _station.Connection ?? throw new DeviceException(DeviceErrorKind.Unreachable, Who,
            _station.LastSeen is null
                ? $"{Who} has not connected to the gateway's OCPP endpoint (is its CSMS URL set to the gateway, with this station id?)"
                : $"{Who} is not connected (last heard {Stamp(_station.LastSeen.Value)})", true);

    private void ThrowIfReadOnly(string what)
    {
        if (ReadOnly)
            throw new DeviceException(DeviceErrorKind.ReadOnly, Who, $"{Who} is read-only: refusing to send {what} (allow writes explicitly to change the device)", isTransient: false);
    }

    private DeviceReading Snapshot(OcppVersion version)
    {
        var now = _time.GetUtcNow();
        var evse = _station.Evse(_map.Evse);
        var present = evse.VehiclePresent;
        var measurements = new List<Measurement>(Profile.Points.Count);
        foreach (var point in Profile.Points)
        {
            measurements.Add(point.Role switch
            {
                PointRole.MeasuredPower => Sample(point, evse.PowerKw),
                PointRole.Setpoint => Sample(point, evse.SetpointKw),
                PointRole.EnergyImported => Sample(point, evse.EnergyImportedKwh),
                PointRole.EnergyExported => Sample(point, evse.EnergyExportedKwh),
                PointRole.StateOfCharge => present ? Sample(point, evse.SocPercent) : Absent(point, now),
                PointRole.MinPower => Value(point, present ? -Math.Min(_map.RatingKw, evse.Vehicle.MaxChargeKw ?? _map.RatingKw) : 0, now),
                PointRole.MaxPower => Value(point, present && version == OcppVersion.Ocpp21 && _map.V2x && evse.Vehicle.MaxDischargeKw is { } d ? Math.Min(_map.RatingKw, d) : 0, now),
                PointRole.BatteryCapacity => present && evse.Vehicle.CapacityKwh is { } c ? Value(point, c, now) : Absent(point, now),
                PointRole.TargetStateOfCharge => present && evse.Vehicle.TargetSocPercent is { } t ? Value(point, t, now) : Absent(point, now),
                PointRole.TimeToDeparture => present && evse.Vehicle.Departure is { } at ? Value(point, Math.Max(0, Math.Floor((at - WallClock.GetUtcNow()).TotalMinutes * TimeScale)), now) : Absent(point, now),
                PointRole.Watchdog => _lastSetpoint is { } last ? Value(point, last.ValidSeconds, now) : Absent(point, now),
                PointRole.PlugState => State(point, PlugCode(evse), now),
                PointRole.Status => State(point, evse.ConnectorStatus switch { "Faulted" => 1, "Unavailable" => 2, _ => 0 }, now),
                _ => Absent(point, now),
            });
        }
        return new DeviceReading(Profile.Name, now, measurements);
    }

    // The codes of the v2g-charger profile's PlugState, so every charger reads alike.
    private static int PlugCode(OcppEvseState evse) => evse.ConnectorStatus switch
    {
        "Faulted" or "Unavailable" => 7,
        _ when !evse.VehiclePresent => 0,
        _ => evse.ChargingState switch
        {
            "Charging" => evse.PowerKw is { Value: > 0.05 } ? 11 : 1,
            "SuspendedEV" or "SuspendedEVSE" => 4,
            _ => 2,
        },
    };

    private static Measurement Sample(ProfilePoint point, OcppSample? sample) => sample is { } s
        ? new Measurement(point.Name, point.Role, s.Value, point.Unit, s.Received, point.Limits.Contains(s.Value) ? MeasurementQuality.Good : MeasurementQuality.OutOfRange)
        : new Measurement(point.Name, point.Role, null, point.Unit, DateTimeOffset.UnixEpoch, MeasurementQuality.Absent);

    private static Measurement Value(ProfilePoint point, double value, DateTimeOffset now) =>
        new(point.Name, point.Role, value, point.Unit, now, point.Limits.Contains(value) ? MeasurementQuality.Good : MeasurementQuality.OutOfRange);

    private static Measurement State(ProfilePoint point, int code, DateTimeOffset now) =>
        new(point.Name, point.Role, code, point.Unit, now, MeasurementQuality.Good, point.States is { } states && states.TryGetValue(code, out var name) ? name : null);

    private static Measurement Absent(ProfilePoint point, DateTimeOffset now) => new(point.Name, point.Role, null, point.Unit, now, MeasurementQuality.Absent);

    private static string Stamp(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
}
