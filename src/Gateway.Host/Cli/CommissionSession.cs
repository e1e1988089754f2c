using Gateway.Drivers.Devices;
using Gateway.Drivers.Devices.Discovery;
using Gateway.Drivers.Devices.Mqtt;
using Gateway.Drivers.Modbus;

namespace Gateway.Host.Cli;

/// <summary>
/// One commissioning session at a device: identify it, verify every mapped point read-only, and — only with explicit
/// confirmation — step its setpoint with read-back and test its fail-safe (stop the heartbeat, watch it fall back within
/// its revert time). Writes a report with the measurements, a plot of the step and the fall-back, and the device's rig entry.
/// </summary>
/// <remarks>
/// Identification and verification run through a read-only driver, so nothing before the confirmation can reach the device;
/// the writes go through a second driver created after it. Waits between readings run on the injected clock.
/// </remarks>
internal sealed class CommissionSession
{
    private readonly CommissionRequest _request;
    private readonly Func<string, CancellationToken, Task<bool>> _confirm;
    private readonly TextWriter _progress;
    private readonly TimeProvider _time;
    private readonly CommissionResult _result;

    /// <summary>Creates a session.</summary>
    /// <param name="request">What to do.</param>
    /// <param name="confirm">Asks the engineer to confirm the writes described by its argument (true: go ahead).</param>
    /// <param name="progress">Where each step is reported as it finishes (stdout, or nothing with --json).</param>
    /// <param name="time">Clock for the waits between readings and for timestamps.</param>
    public CommissionSession(CommissionRequest request, Func<string, CancellationToken, Task<bool>> confirm, TextWriter progress, TimeProvider time)
    {
        _request = request;
        _confirm = confirm;
        _progress = progress;
        _time = time;
        _result = new CommissionResult { Request = request, StartedUtc = time.GetUtcNow() };
    }

    /// <summary>Runs the session; returns what it found (its exit code set), whether it got through or not.</summary>
    public async Task<CommissionResult> RunAsync(Func<ProbeRequest, IModbusClient> connect, CancellationToken cancellationToken = default)
    {
        try
        {
            if (_request.IsOcpp) await RunOcppAsync(cancellationToken).ConfigureAwait(false);
            else if (_request.IsMqtt) await RunMqttAsync(cancellationToken).ConfigureAwait(false);
            else await RunModbusAsync(connect, cancellationToken).ConfigureAwait(false);
            _result.ExitCode = _result.VerificationPassed && _result.FailSafePassed != false && _result.Step is not { Confirmed: false }
                ? ExitCodes.Ok : ExitCodes.Failed;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && ProbeFailure.Classify(e, _request.AsProbe()) is { } failure)
        {
            _result.ExitCode = failure.ExitCode;
            _result.Error = failure.Message;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped by the engineer: what was measured so far still goes into the report.
            _result.ExitCode = ExitCodes.Failed;
            _result.Error = "stopped before it finished";
        }
        return _result;
    }

    private async Task RunModbusAsync(Func<ProbeRequest, IModbusClient> connect, CancellationToken cancellationToken)
    {
        var given = _request.Profile is null ? null : ProfileLoader.Load(_request.Profile);
        var client = connect(_request.AsProbe());
        await using (client.ConfigureAwait(false))
        {
            // 1. Identify: who answers, its SunSpec models and nameplate, and the profile that reads it.
            var identity = await ModbusUnitScanner.IdentifyAsync(client, _request.UnitId, _request.Endpoint, _request.Timeout * 12, cancellationToken).ConfigureAwait(false)
                ?? throw new DeviceException(DeviceErrorKind.Timeout, _request.Who, $"{_request.Who} does not answer — wrong unit id, or (on a serial line) wrong baud rate or parity? 'gateway scan {_request.Endpoint}' lists who answers", true);
            _result.Identity = identity;
            var profile = given ?? (identity.Profile is { } chosen ? ProfileLoader.Load(chosen)
                : throw new FormatException(identity.SunSpec is null
                    ? $"{_request.Who} {identity.Answer}: give --profile (e.g. v2g-charger, smes-converter)"
                    : $"{_request.Who} carries SunSpec models {string.Join(", ", identity.SunSpec.Models.Select(m => m.Id))}, which no shipped profile reads: give --profile"));
            if (given is null) _result.ProfileChosenBecause = $"from SunSpec models {string.Join(", ", identity.SunSpec!.Models.Select(m => m.Id))}";
            _result.Profile = profile;
            await Say($"1/4 identify: {_request.Who}: {identity.Answer}{Nameplate(identity)}; profile {profile.Name}{(given is null ? " (from its SunSpec models)" : "")}").ConfigureAwait(false);

            // 2. Verify, read-only.
            var reader = new ModbusDeviceDriver(client, _request.UnitId, profile, _time) { Name = _request.Who, ReadOnly = true, RatingKw = _request.RatingKw };
            var reading = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            await VerifyAsync(profile, reading, reader.ScaleFactorsOfLastRead()).ConfigureAwait(false);

            // 3 and 4. The step and the fail-safe test, through a driver that may write.
            if (await MayWriteAsync(profile, cancellationToken).ConfigureAwait(false))
            {
                var writer = new ModbusDeviceDriver(client, _request.UnitId, profile, _time) { Name = _request.Who, RatingKw = _request.RatingKw };
                await StepAndFailSafeAsync(writer, profile, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task RunMqttAsync(CancellationToken cancellationToken)
    {
        var profile = ProfileLoader.Load(_request.Profile ?? throw new FormatException("--profile is needed for an MQTT device (e.g. mqtt-charger; 'gateway scan mqtt://…' lists the devices per profile)"));
        if (profile.Mqtt is null) throw new FormatException($"profile '{profile.Name}' has no 'mqtt' part (a topic map); an mqtt:// device needs one, e.g. mqtt-charger");
        if (_request.DeviceId is null && profile.Mqtt.TopicPrefix.Contains(MqttTopicMap.DevicePlaceholder, StringComparison.Ordinal))
            throw new FormatException($"--device is needed: the topics of profile '{profile.Name}' are {profile.Mqtt.TopicPrefix}/… ('gateway scan {_request.Endpoint}' lists the device ids it sees)");
        _result.Profile = profile;
        var options = new MqttDeviceDriverOptions { FirstTelemetryTimeout = _request.Timeout, AckTimeout = _request.Timeout };
        await using var connection = ProbeRunner.OpenBroker(_request.Endpoint, _request.Broker, _request.Timeout, "commission");
        await using var reader = new MqttDeviceDriver(connection, _request.DeviceId, profile, _time, options) { ReadOnly = true, RatingKw = _request.RatingKw };
        _result.TopicPrefix = reader.Topics.Prefix;

        // 1 and 2. Identify by its telemetry, and verify it, read-only.
        var reading = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        var nameplate = string.Join(", ", reading.Measurements.Where(m => m.Role == PointRole.Info && m.Text is not null).Select(m => $"{m.Point} {m.Text}"));
        await Say($"1/4 identify: {_request.Endpoint} topics {reader.Topics.Prefix}/… publish telemetry{(nameplate.Length > 0 ? $" ({nameplate})" : "")}; profile {profile.Name}").ConfigureAwait(false);
        await VerifyAsync(profile, reading, new Dictionary<string, int?>()).ConfigureAwait(false);

        if (await MayWriteAsync(profile, cancellationToken).ConfigureAwait(false))
        {
            await using var writer = new MqttDeviceDriver(connection, _request.DeviceId, profile, _time, options) { RatingKw = _request.RatingKw };
            await StepAndFailSafeAsync(writer, profile, cancellationToken).ConfigureAwait(false);
        }
    }

    // The session listens as the station's CSMS (loopback, like the probe), waits for it to dial in, then walks the same steps.
    private async Task RunOcppAsync(CancellationToken cancellationToken)
    {
        var profile = ProfileLoader.Load(_request.Profile ?? "ocpp-charger");
        if (profile.Ocpp is null) throw new FormatException($"profile '{profile.Name}' has no 'ocpp' part; an OCPP station is read through ocpp-charger");
        _result.Profile = profile;
        var id = _request.DeviceId ?? throw new FormatException("--device is needed: the station's id");
        if (!Uri.TryCreate(_request.Endpoint, UriKind.Absolute, out var uri) || uri.IsDefaultPort)
            throw new FormatException($"'{_request.Endpoint}' is not ocpp://HOST:PORT (the address the session listens on)");
        var address = uri.Host == "localhost" ? System.Net.IPAddress.Loopback : System.Net.IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) ? ip
            : throw new FormatException($"'{uri.Host}' is not an IP address to listen on");
        if (!System.Net.IPAddress.IsLoopback(address)) throw new FormatException("the session listens without security (profile 0), so on loopback only; tunnel the pile to 127.0.0.1");
        var registry = new Gateway.Drivers.Devices.Ocpp.OcppStationRegistry(_time);
        await using var endpoint = new Gateway.Runtime.Ocpp.OcppEndpoint(registry, new Gateway.Runtime.Ocpp.OcppEndpointOptions
        {
            Address = address, Port = uri.Port, Stations = new HashSet<string>(StringComparer.Ordinal) { id },
        });
        try
        {
            await endpoint.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw new DeviceException(DeviceErrorKind.Unreachable, _request.Who, e.Message, false, e);
        }
        var station = registry.GetOrAdd(id);
        if (!await station.WaitForConnectionAsync(_request.Timeout * 12, TimeProvider.System, cancellationToken).ConfigureAwait(false))
            throw new DeviceException(DeviceErrorKind.Timeout, _request.Who, $"station '{id}' did not dial in to {endpoint.Url}{Uri.EscapeDataString(id)} — is its CSMS URL set to it?", true);
        var options = new Gateway.Drivers.Devices.Ocpp.OcppChargerDriverOptions { FirstValuesTimeout = _request.Timeout, ReadBackTimeout = _request.Timeout };
        var reader = new Gateway.Drivers.Devices.Ocpp.OcppChargerDriver(station, profile, _time, options) { ReadOnly = true, WallClock = TimeProvider.System };
        var reading = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        await Say($"1/4 identify: station {id} dialed in ({station.Connection?.Version.ToString() ?? "gone"}, {station.Model ?? "no BootNotification"}); profile {profile.Name}").ConfigureAwait(false);
        await VerifyAsync(profile, reading, new Dictionary<string, int?>()).ConfigureAwait(false);
        if (await MayWriteAsync(profile, cancellationToken).ConfigureAwait(false))
        {
            var writer = new Gateway.Drivers.Devices.Ocpp.OcppChargerDriver(station, profile, _time, options) { WallClock = TimeProvider.System };
            await StepAndFailSafeAsync(writer, profile, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task VerifyAsync(DeviceProfile profile, DeviceReading reading, IReadOnlyDictionary<string, int?> scaleFactors)
    {
        _result.Reading = reading;
        _result.Checks = CommissionChecks.Verify(profile, reading, scaleFactors, _request.RatingKw);
        var fails = _result.Checks.Where(c => c.Verdict == CommissionVerdict.Fail).ToList();
        var notes = _result.Checks.Count(c => c.Verdict == CommissionVerdict.Note);
        await Say($"2/4 verify (read-only): {_result.Checks.Count} checks, {_result.Checks.Count - fails.Count - notes} ok, {notes} notes, {fails.Count} failed"
            + string.Concat(fails.Select(f => $"{Environment.NewLine}    FAIL {f.Point}: {f.Why}"))).ConfigureAwait(false);
    }

    // Writes happen only when asked for, confirmed, sensible (the device has a setpoint) and safe (verification passed).
    private async Task<bool> MayWriteAsync(DeviceProfile profile, CancellationToken cancellationToken)
    {
        string? skip = null;
        if (profile.FindRole(PointRole.Setpoint) is null) skip = $"profile {profile.Name} has no setpoint: nothing to step";
        else if (!_request.AllowWrite) skip = "read-only session (add --allow-write to step the setpoint and test the fail-safe)";
        else if (!_result.VerificationPassed) skip = "verification failed: no write to a device whose points cannot be trusted";
        else if (!await _confirm(Describe(profile), cancellationToken).ConfigureAwait(false)) skip = "not confirmed: nothing was written";
        if (skip is null) return true;
        _result.WritesSkipped = skip;
        await Say($"3/4 step: skipped — {skip}").ConfigureAwait(false);
        await Say("4/4 fail-safe: skipped").ConfigureAwait(false);
        return false;
    }

    private string Describe(DeviceProfile profile) =>
        $"This writes a setpoint step of {StepText()} to {_request.Who} (profile {profile.Name}), holds it for {Sec(_request.Hold)} s, then stops the heartbeat " +
        $"and waits up to {Sec(_request.RevertTime)} s (+ slack) for the device to fall back by itself.";

    private async Task StepAndFailSafeAsync(IDeviceDriver writer, DeviceProfile profile, CancellationToken cancellationToken)
    {
        var sample = _request.SampleEvery;
        var before = await writer.ReadAsync(cancellationToken).ConfigureAwait(false);
        var stepKw = _request.Step.IsPercent ? ProbeRunner.PercentToKw(_request.Step.Value, _request.RatingKw, before) : _request.Step.Value;
        Record(before, -sample.TotalSeconds, "before", profile);
        await Task.Delay(sample, _time, cancellationToken).ConfigureAwait(false);

        var start = _time.GetTimestamp();
        double Now() => _time.GetElapsedTime(start).TotalSeconds;
        var wrote = false;
        try
        {
            // 3. The step, read back, held with the heartbeat running.
            _result.Step = await writer.WriteSetpointAsync(stepKw, _request.RevertTime, cancellationToken).ConfigureAwait(false);
            wrote = true;
            var s = _result.Step;
            await Say($"3/4 step: asked {Kw(s.RequestedKw)}, wrote {Written(s)}{(s.ClampedBy is { } by ? $" (clamped by {by})" : "")}, read back "
                + $"{(s.ReadBackValue is { } rb ? $"{CommissionChecks.Num(rb)} {s.Unit}" : "nothing")}: {(s.Confirmed ? "confirmed" : "NOT confirmed")}").ConfigureAwait(false);
            if (!s.Confirmed)
            {
                await Say("4/4 fail-safe: skipped — the device did not take the step").ConfigureAwait(false);
                return;
            }
            Record(await writer.ReadAsync(cancellationToken).ConfigureAwait(false), Now(), "step", profile);
            var refreshEvery = TimeSpan.FromTicks(Math.Max(sample.Ticks, _request.RevertTime.Ticks / 3));
            var lastRefresh = 0.0;
            while (Now() < _request.Hold.TotalSeconds - 1e-9)
            {
                await Task.Delay(sample, _time, cancellationToken).ConfigureAwait(false);
                // The last refresh falls at the end of the hold, so the heartbeat stops at a known moment.
                if (Now() - lastRefresh >= refreshEvery.TotalSeconds - 1e-9 || Now() >= _request.Hold.TotalSeconds - 1e-9)
                {
                    await writer.RefreshWatchdogAsync(cancellationToken).ConfigureAwait(false);
                    lastRefresh = Now();
                }
                Record(await writer.ReadAsync(cancellationToken).ConfigureAwait(false), Now(), "step", profile);
            }

            // 4. The fail-safe: no more heartbeats; the device must fall back within its revert time.
            _result.HeartbeatStoppedAt = lastRefresh;
            var revert = _request.RevertTime.TotalSeconds;
            // A fall-back shows at the next reading at the earliest, and a reading may take up to the answer timeout.
            _result.FallBackAllowed = revert + sample.TotalSeconds + _request.Timeout.TotalSeconds;
            // A late fall-back is still watched for a while, so the report can say how late it was.
            var giveUp = lastRefresh + _result.FallBackAllowed + Math.Max(2 * sample.TotalSeconds, 0.5 * revert);
            var kwSetpoint = profile.FindRole(PointRole.Setpoint)!.PercentOf is null;
            double? settleUntil = null;
            var after = 0;
            while (true)
            {
                await Task.Delay(sample, _time, cancellationToken).ConfigureAwait(false);
                var taken = Record(await writer.ReadAsync(cancellationToken).ConfigureAwait(false), Now(), "fail-safe", profile);
                if (taken.FallenBack && _result.FellBackAfter is null)
                {
                    _result.FellBackAfter = taken.Seconds - lastRefresh;
                    settleUntil = Now() + Math.Max(5, revert);
                }
                if (_result.FellBackAfter is null && Now() >= giveUp) break;
                if (_result.FellBackAfter is null) continue;
                // Keep reading after the fall-back until the power has followed it (a kW device at 0 kW), so the plot shows it.
                after++;
                var powerSettled = !kwSetpoint || taken.PowerKw is not { } p || Math.Abs(p) <= 0.1;
                if ((after >= 2 && powerSettled) || Now() >= settleUntil) break;
            }
            await Say(_result.FailSafePassed == true
                ? $"4/4 fail-safe: heartbeat stopped at {Sec(lastRefresh)} s; fell back after {Sec(_result.FellBackAfter!.Value)} s (revert time {Sec(revert)} s): pass"
                : _result.FellBackAfter is { } late
                    ? $"4/4 fail-safe: FAIL — fell back only after {Sec(late)} s, revert time {Sec(revert)} s"
                    : $"4/4 fail-safe: FAIL — still not fallen back {Sec(Now() - lastRefresh)} s after the heartbeat stopped (revert time {Sec(revert)} s): the device has no working fail-safe").ConfigureAwait(false);
            if (_result.FailSafePassed != true && profile.FindRole(PointRole.Setpoint)!.PercentOf is null)
                await LeaveSafeAsync(writer, "since the device did not fall back by itself").ConfigureAwait(false);
        }
        catch (Exception) when (wrote)
        {
            // Also on Ctrl+C: a kW device is told 0 kW on the way out (with a timeout of its own, the session's is cancelled).
            if (profile.FindRole(PointRole.Setpoint)!.PercentOf is null)
                await LeaveSafeAsync(writer, cancellationToken.IsCancellationRequested ? "when it was stopped" : "after the failure").ConfigureAwait(false);
            _result.Notes.Add($"the session failed after the step was written; the device falls back by itself within its revert time of {Sec(_request.RevertTime)} s");
            throw;
        }
    }

    // A kW device that did not fall back by itself is told 0 kW (best effort; its own validity still runs out).
    private async Task LeaveSafeAsync(IDeviceDriver writer, string why)
    {
        try
        {
            using var timeout = new CancellationTokenSource(_request.Timeout * 4);
            await writer.WriteSetpointAsync(0, _request.RevertTime, timeout.Token).ConfigureAwait(false);
            _result.Notes.Add($"the session wrote 0 kW at the end, {why}");
        }
        catch (Exception e) when (e is DeviceException or OperationCanceledException)
        {
            _result.Notes.Add($"writing 0 kW at the end failed too ({e.Message}); the device keeps its setpoint until its own validity runs out");
        }
    }

    private CommissionSample Record(DeviceReading reading, double seconds, string phase, DeviceProfile profile)
    {
        var (setpointKw, fallenBack) = CommissionChecks.SetpointInForce(profile, reading, _request.RatingKw);
        var sample = new CommissionSample(Math.Round(seconds, 3), phase, setpointKw, CommissionChecks.PowerKw(reading), fallenBack);
        _result.Samples.Add(sample);
        return sample;
    }

    private string StepText() => _request.Step.IsPercent ? $"{CommissionChecks.Num(_request.Step.Value)} % of the rating" : Kw(_request.Step.Value);

    private static string Written(SetpointResult s) => s.Unit == "kW" ? Kw(s.WrittenValue) : $"{CommissionChecks.Num(s.WrittenValue)} {s.Unit} (= {Kw(s.TargetKw)})";

    private static string Nameplate(ModbusUnitIdentity identity)
    {
        var parts = new[] { identity.Manufacturer, identity.Model, identity.SerialNumber is { } sn ? "serial " + sn : null }.Where(p => p is not null).ToList();
        return parts.Count == 0 ? "" : $" ({string.Join(", ", parts)})";
    }

    private static string Kw(double kw) => $"{CommissionChecks.Num(kw)} kW";

    private static string Sec(double seconds) => CommissionChecks.Num(seconds);

    private static string Sec(TimeSpan t) => CommissionChecks.Num(t.TotalSeconds);

    private Task Say(string line) => _request.Json ? Task.CompletedTask : _progress.WriteLineAsync(line);
}
