using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Gateway.DeviceSims.Devices;
using Gateway.DeviceSims.Hosting;
using Gateway.Rigs;
using Gateway.Drivers.Devices;
using Gateway.Drivers.Devices.Mqtt;
using Gateway.Drivers.Modbus;
using Gateway.Drivers.Mqtt;

namespace Gateway.DeviceSims.Tests;

/// <summary>
/// The simulators exposed over MQTT through a mosquitto started for each test, read and written by
/// our MQTT device driver: the same physics, validation, ramp and watchdog as over Modbus.
/// </summary>
[Trait(PeerTraits.Name, PeerTraits.Mosquitto)]
public sealed class MqttSimulatorTests : IAsyncLifetime
{
    private readonly List<IAsyncDisposable> _owned = [];
    private MosquittoBroker _broker = null!;
    private RigHost _host = null!;

    public async Task InitializeAsync() => _broker = await MosquittoBroker.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var d in Enumerable.Reverse(_owned)) await d.DisposeAsync();
        if (_host is not null) await _host.DisposeAsync();
        await _broker.DisposeAsync();
    }

    private string Rig(double timeScale = 10, double rampKwPerSecond = 0.5) => $$"""
        site: mqtt-sims
        start: 2026-06-01T12:00:00Z
        timeScale: {{timeScale}}
        devices:
          - { id: ev-1, kind: charger, protocol: mqtt, endpoint: "mqtt://127.0.0.1:{{_broker.Port}}", profile: mqtt-charger,
              sim: { batteryKwh: 50, socAtArrivalPercent: 42, arrival: "11:00", departure: "18:00", maxChargeKw: 7.4, maxDischargeKw: 5, rampKwPerSecond: {{rampKwPerSecond}} } }
          - { id: smes-1, kind: smes, protocol: mqtt, endpoint: "mqtt://127.0.0.1:{{_broker.Port}}", profile: mqtt-smes-converter,
              sim: { inductanceH: 40, maxCurrentA: 1200, minCurrentA: 100, initialCurrentA: 800, maxPowerKw: 50, rampKwPerSecond: 100 } }
          - { id: pv-1, kind: pv-inverter, protocol: mqtt, endpoint: "mqtt://127.0.0.1:{{_broker.Port}}", profile: mqtt-pv-inverter,
              sim: { ratedKwp: 10, rampKwPerSecond: 100, irradiance: { clearSky: { peakWPerM2: 1000, sunrise: "06:00", sunset: "18:00" } } } }
          - { id: meter-1, kind: meter, protocol: mqtt, endpoint: "mqtt://127.0.0.1:{{_broker.Port}}", profile: mqtt-meter, sim: { } }
          - { id: ev-m, kind: charger, protocol: modbus-tcp, endpoint: "127.0.0.1:0", profile: v2g-charger,
              sim: { batteryKwh: 40, socAtArrivalPercent: 60, arrival: "11:00", departure: "18:00", maxChargeKw: 3, maxDischargeKw: 3 } }
        """;

    private async Task StartAsync(double timeScale = 10, double rampKwPerSecond = 0.5, bool stepped = false)
    {
        var rig = new SimulatedRig(RigLoader.ParseSimulated(Rig(timeScale, rampKwPerSecond), "mqtt-sims.yaml"), TimeProvider.System, stepped);
        _host = await RigHost.StartAsync(rig, mqttPublishPeriod: TimeSpan.FromMilliseconds(100));
        rig.StartClock();
    }

    private async Task<MqttDeviceDriver> DriverAsync(string device, string profile, MqttDeviceDriverOptions? options = null)
    {
        var client = new MqttClient(new MqttClientOptions { Host = "127.0.0.1", Port = _broker.Port, ClientId = "gw-" + Guid.NewGuid().ToString("N")[..8] });
        var driver = new MqttDeviceDriver(new MqttDeviceConnection(client, $"mqtt://127.0.0.1:{_broker.Port}"), device, ProfileLoader.Load(profile), TimeProvider.System,
            options ?? new MqttDeviceDriverOptions { FirstTelemetryTimeout = TimeSpan.FromSeconds(3), AckTimeout = TimeSpan.FromSeconds(3) }, ownsConnection: true);
        _owned.Add(driver);
        await driver.StartAsync();
        return driver;
    }

    [Fact]
    public async Task A_charger_over_MQTT_is_read_and_written_and_its_power_ramps_to_the_setpoint()
    {
        await StartAsync();
        var ev = await DriverAsync("ev-1", "mqtt-charger");
        var reading = await ev.ReadAsync();
        Assert.Equal(42, reading.Find("SocPercent")!.Value);
        Assert.Equal("connected", reading.Find("PlugState")!.Text);
        Assert.Equal(-7.4, reading.Find("MinPowerKw")!.Value!.Value, 6);
        Assert.Equal(5, reading.Find("MaxPowerKw")!.Value!.Value, 6);
        Assert.Equal(50, reading.Find("EvCapacityKwh")!.Value!.Value, 6);
        Assert.All(reading.Measurements, m => Assert.Equal(MeasurementQuality.Good, m.Quality));

        var result = await ev.WriteSetpointAsync(-9, TimeSpan.FromMinutes(5));
        Assert.Equal(-7.4, result.TargetKw, 6);                                           // the simulated charger's own limit
        Assert.Equal("device limit MinPowerKw", result.ClampedBy);
        Assert.True(result.Confirmed, $"read back {result.ReadBackValue}");
        Assert.Equal(-7.4, result.ReadBackValue!.Value, 6);

        // 0.5 kW/s at 10× time: about 1.5 s of real time from 0 to -7.4 kW, seen on the way.
        var seen = new List<double>();
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(10))
        {
            var power = (await ev.ReadAsync()).Find("PowerKw")!.Value!.Value;
            seen.Add(power);
            if (power <= -7.39) break;
            await Task.Delay(50);
        }
        Assert.True(seen[^1] <= -7.39, $"the charger did not reach -7.4 kW: {string.Join(", ", seen)}");
        Assert.Contains(seen, p => p < -0.5 && p > -7);
        var charger = (SimulatedCharger)_host.Rig.Find("ev-1")!;
        Assert.Equal(-7.4, charger.Image.Get("SetpointKw")!.Value, 6);

        // The meter over MQTT sums the site (the PV's output, the idle Modbus charger included).
        var meter = await DriverAsync("meter-1", "mqtt-meter");
        var pv = (SimulatedPvInverter)_host.Rig.Find("pv-1")!;
        var site = await meter.ReadAsync();
        Assert.InRange(site.Find("PowerKw")!.Value!.Value, -7.4 + pv.PowerKw - 0.3, -7.4 + pv.PowerKw + 0.3);
        Assert.Equal("meter-1", site.Find("SerialNumber")!.Text);
    }

    [Fact]
    public async Task A_PV_inverter_over_MQTT_takes_its_export_cap_in_percent_of_its_rating()
    {
        await StartAsync();
        var pv = await DriverAsync("pv-1", "mqtt-pv-inverter");
        var reading = await pv.ReadAsync();
        Assert.Equal(10, reading.Find("RatedPowerKw")!.Value!.Value, 6);
        Assert.True(reading.Find("PowerKw")!.Value > 5, "midday output");
        Assert.Equal("mppt", reading.Find("OperatingState")!.Text);
        Assert.Equal("pv-1", reading.Find("SerialNumber")!.Text);
        Assert.True(reading.Find(PointRole.Irradiance)!.Value > 500, "midday irradiance in the telemetry");

        var result = await pv.WriteSetpointAsync(2.345, TimeSpan.FromSeconds(300));
        Assert.Equal("%", result.Unit);
        Assert.Equal(23.5, result.WrittenValue, 6);                                         // 23.45 % in 0.1 % steps, as the Modbus driver rounds
        Assert.Equal(2.35, result.TargetKw, 6);
        Assert.True(result.Confirmed, $"read back {result.ReadBackValue}");
        var watch = Stopwatch.StartNew();
        while ((await pv.ReadAsync()).Find("PowerKw")!.Value > 2.36 && watch.Elapsed < TimeSpan.FromSeconds(5)) await Task.Delay(50);
        reading = await pv.ReadAsync();
        Assert.InRange(reading.Find("PowerKw")!.Value!.Value, 2.3, 2.36);
        Assert.Equal("throttled", reading.Find("OperatingState")!.Text);
        Assert.Equal(300, reading.Find("LimitRevertSeconds")!.Value);
        Assert.True(reading.Find(PointRole.Irradiance)!.Value > 500, "the sensor reads the sun under the cap");
    }

    [Fact]
    public async Task The_setpoint_falls_back_to_0_kW_when_its_validity_runs_out_and_heartbeats_keep_it()
    {
        // Simulated time moves only when the test steps it, so the validity is measured in simulated seconds alone and a
        // loaded machine cannot make a heartbeat late.
        await StartAsync(rampKwPerSecond: 50, stepped: true);
        var rig = _host.Rig;
        var charger = (SimulatedCharger)rig.Find("ev-1")!;
        var heartbeat = charger.Image.Profile.FindRole(PointRole.Heartbeat)!.Name;
        var ev = await DriverAsync("ev-1", "mqtt-charger");
        var result = await ev.WriteSetpointAsync(3, TimeSpan.FromSeconds(10));
        Assert.True(result.Confirmed);

        // Heartbeats every 2 simulated s keep the setpoint for 24 s, past its validity of 10 s…
        for (var i = 0; i < 12; i++)
        {
            double? before;
            lock (rig.Gate) before = charger.Image.Get(heartbeat);
            await ev.RefreshWatchdogAsync();
            await Waits.UntilAsync(() => { lock (rig.Gate) return charger.Image.Get(heartbeat) != before; }, $"heartbeat {i + 1} reaches the charger");
            rig.StepTo(rig.Clock.Now + TimeSpan.FromSeconds(2));
        }
        Assert.Equal(0, charger.WatchdogFallbacks);
        await Waits.UntilAsync(async () => (await ev.ReadAsync()).Find("SetpointKw")!.Value == 3, () => "the charger reports the 3 kW setpoint after 24 simulated s");

        // …and without them the charger goes back to 0 kW by itself once the validity has run out.
        rig.StepTo(rig.Clock.Now + TimeSpan.FromSeconds(11));
        Assert.Equal(1, charger.WatchdogFallbacks);
        DeviceReading reading = await ev.ReadAsync();
        await Waits.UntilAsync(async () => (reading = await ev.ReadAsync()).Find("SetpointKw")!.Value == 0 && reading.Find("PowerKw")!.Value == 0,
            () => $"the charger still reports {reading.Find("SetpointKw")!.Value} kW set, {reading.Find("PowerKw")!.Value} kW");
    }

    [Fact]
    public async Task A_charger_goes_to_0_kW_as_soon_as_the_gateways_last_will_says_it_is_gone()
    {
        await StartAsync(timeScale: 1, rampKwPerSecond: 50);
        var site = _host.Rig.Definition.SiteId;
        var channels = new CuttableStreamProvider();
        var client = new MqttClient(new MqttClientOptions
        {
            Host = "127.0.0.1", Port = _broker.Port, ClientId = "gw-dies",
            Will = MqttGatewayPresence.Will(site), BirthMessage = MqttGatewayPresence.Birth(site),
        }, TimeProvider.System, streamProvider: channels);
        var ev = new MqttDeviceDriver(new MqttDeviceConnection(client, $"mqtt://127.0.0.1:{_broker.Port}"), "ev-1", ProfileLoader.Load("mqtt-charger"), TimeProvider.System,
            new MqttDeviceDriverOptions { FirstTelemetryTimeout = TimeSpan.FromSeconds(3), AckTimeout = TimeSpan.FromSeconds(3) }, ownsConnection: true);
        _owned.Add(ev);
        await ev.StartAsync();
        var pv = await DriverAsync("pv-1", "mqtt-pv-inverter");
        Assert.True((await ev.WriteSetpointAsync(3, TimeSpan.FromMinutes(10))).Confirmed);
        Assert.True((await pv.WriteSetpointAsync(4, TimeSpan.FromMinutes(10))).Confirmed);
        var charger = (SimulatedCharger)_host.Rig.Find("ev-1")!;
        var inverter = _host.Rig.Find("pv-1")!;

        // The gateway dies without a goodbye: the broker publishes its will, long before the 10-minute validity ends.
        var watch = Stopwatch.StartNew();
        await channels.CutAsync();
        while (charger.Image.Get("SetpointKw") != 0 && watch.Elapsed < TimeSpan.FromSeconds(5)) await Task.Delay(20);
        Assert.Equal(0, charger.Image.Get("SetpointKw"));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"fell back after {watch.Elapsed.TotalSeconds:0.0} s");
        Assert.Equal(1, charger.GatewayLossFallbacks);
        Assert.Equal(0, charger.WatchdogFallbacks);
        // The PV keeps its export cap: lifting it without a gateway could overload a line.
        Assert.Equal(40, inverter.Image.Get("PowerLimitPercent")!.Value, 6);
        Assert.Equal(0, inverter.GatewayLossFallbacks);
    }

    [Fact]
    public async Task The_SMES_over_MQTT_charges_at_its_setpoint_confirmed_from_telemetry_and_is_re_armed_by_resending()
    {
        await StartAsync();
        var smes = await DriverAsync("smes-1", "mqtt-smes-converter");
        var before = await smes.ReadAsync();
        Assert.Equal("standby", before.Find("Status")!.Text);
        Assert.Equal(-50, before.Find("MinPowerKw")!.Value!.Value, 6);
        var energyBefore = before.Find("StoredEnergyKwh")!.Value!.Value;

        var result = await smes.WriteSetpointAsync(-20, TimeSpan.FromSeconds(60));
        Assert.True(result.Confirmed, $"read back {result.ReadBackValue}");
        Assert.Equal(-20, result.ReadBackValue!.Value, 6);                                 // from the telemetry after the ack
        await smes.RefreshWatchdogAsync();                                                  // no heartbeat topic: the command again
        Assert.Equal(2, _host.MqttOf("smes-1")!.CommandsApplied);

        var watch = Stopwatch.StartNew();
        DeviceReading after;
        do
        {
            await Task.Delay(100);
            after = await smes.ReadAsync();
        } while (after.Find("StoredEnergyKwh")!.Value <= energyBefore + 0.01 && watch.Elapsed < TimeSpan.FromSeconds(10));
        Assert.Equal("charging", after.Find("Status")!.Text);
        Assert.Equal(-20, after.Find("PowerKw")!.Value!.Value, 6);
        Assert.True(after.Find("StoredEnergyKwh")!.Value > energyBefore + 0.01);
    }

    [Fact]
    public async Task The_simulator_refuses_what_the_device_would_refuse_with_the_reason()
    {
        await StartAsync();
        await using var client = new MqttClient(new MqttClientOptions { Host = "127.0.0.1", Port = _broker.Port, ClientId = "raw-" + Guid.NewGuid().ToString("N")[..6] });
        await client.ConnectAsync();
        var acks = new System.Collections.Concurrent.ConcurrentQueue<string>();
        await client.SubscribeAsync("v2g/ev-1/setpoint/ack", MqttQos.AtLeastOnce, (m, _) => { acks.Enqueue(Encoding.UTF8.GetString(m.Payload.Span)); return ValueTask.CompletedTask; });

        async Task<JsonElement> SendAsync(string json)
        {
            var count = acks.Count;
            await client.PublishAsync("v2g/ev-1/setpoint/set", Encoding.UTF8.GetBytes(json), MqttQos.AtLeastOnce, retain: false);
            var watch = Stopwatch.StartNew();
            while (acks.Count == count && watch.Elapsed < TimeSpan.FromSeconds(5)) await Task.Delay(10);
            Assert.True(acks.Count > count, "no acknowledgement within 5 s");
            return JsonDocument.Parse(acks.ToArray()[^1]).RootElement;
        }

        var beyond = await SendAsync("""{"id":"c1","powerW":9000,"validForSeconds":60}""");      // 9 kW charging, the charger does 7.4
        Assert.Equal("c1", beyond.GetProperty("id").GetString());
        Assert.False(beyond.GetProperty("accepted").GetBoolean());
        Assert.Contains("SetpointKw -9 kW is refused: outside what the device accepts", beyond.GetProperty("reason").GetString());

        var noValidity = await SendAsync("""{"id":"c2","powerW":1000}""");
        Assert.Contains("carries no validity", noValidity.GetProperty("reason").GetString());
        var notNumber = await SendAsync("""{"id":"c3","powerW":"lots","validForSeconds":60}""");
        Assert.Contains("no number 'powerW'", notNumber.GetProperty("reason").GetString());
        var tooLong = await SendAsync("""{"id":"c4","powerW":1000,"validForSeconds":7200}""");
        Assert.Contains("validity of 7200 s is refused", tooLong.GetProperty("reason").GetString());
        var ok = await SendAsync("""{"id":"c5","powerW":1000,"validForSeconds":60}""");
        Assert.True(ok.GetProperty("accepted").GetBoolean());
        Assert.Equal(1000, ok.GetProperty("appliedW").GetDouble());

        // Garbage without an id cannot be answered: dropped and counted.
        await client.PublishAsync("v2g/ev-1/setpoint/set", "not json"u8.ToArray(), MqttQos.AtLeastOnce, retain: false);
        var adapter = _host.MqttOf("ev-1")!;
        var wait = Stopwatch.StartNew();
        while (adapter.CommandsDropped == 0 && wait.Elapsed < TimeSpan.FromSeconds(5)) await Task.Delay(10);
        Assert.Equal(1, adapter.CommandsDropped);
        Assert.Equal(4, adapter.CommandsRefused);
    }

    [Fact]
    public async Task Faults_show_on_MQTT_no_answer_silences_and_exception_refuses_and_disconnect_drops_the_connection()
    {
        await StartAsync();
        var ev = await DriverAsync("ev-1", "mqtt-charger", new MqttDeviceDriverOptions { AckTimeout = TimeSpan.FromSeconds(1), SilenceTimeout = TimeSpan.FromSeconds(1) });
        await ev.ReadAsync();
        var device = _host.Rig.Find("ev-1")!;

        device.Faults.Current = new ModbusFault(ModbusFaultKind.Exception, ExceptionCode: ModbusExceptionCode.ServerDeviceBusy);
        var refused = await Assert.ThrowsAsync<SetpointRejectedException>(() => ev.WriteSetpointAsync(1, TimeSpan.FromSeconds(60)));
        Assert.Contains("exception 06", refused.Reason);

        device.Faults.Current = new ModbusFault(ModbusFaultKind.NoAnswer);
        await Assert.ThrowsAsync<MqttDeviceTimeoutException>(() => ev.WriteSetpointAsync(1, TimeSpan.FromSeconds(60)));
        // The device answers nothing now: its telemetry stops, and reads fail once the silence timeout (1 s) has passed.
        MqttDeviceTimeoutException? silent = null;
        await Waits.UntilAsync(async () =>
        {
            try { await ev.ReadAsync(); return false; }
            catch (MqttDeviceTimeoutException e) { silent = e; return true; }
        }, () => "reads still succeed after the device fell silent");
        Assert.Contains("published no telemetry", silent!.Message);

        device.Faults.Current = new ModbusFault(ModbusFaultKind.CorruptFrame);
        var watch = Stopwatch.StartNew();
        while (ev.MalformedPayloads == 0 && watch.Elapsed < TimeSpan.FromSeconds(5)) await Task.Delay(20);
        Assert.True(ev.MalformedPayloads > 0);

        device.Faults.Current = new ModbusFault(ModbusFaultKind.Disconnect);
        var adapter = _host.MqttOf("ev-1")!;
        watch.Restart();
        while (adapter.ConnectionState != MqttConnectionState.Disconnected && watch.Elapsed < TimeSpan.FromSeconds(5)) await Task.Delay(20);
        Assert.Equal(MqttConnectionState.Disconnected, adapter.ConnectionState);
        device.Faults.Current = ModbusFault.None;
        watch.Restart();
        while (watch.Elapsed < TimeSpan.FromSeconds(5))
        {
            try { await ev.ReadAsync(); break; } catch (MqttDeviceTimeoutException) { await Task.Delay(50); }
        }
        Assert.Equal(42, (await ev.ReadAsync()).Find("SocPercent")!.Value);
        Assert.True((await ev.WriteSetpointAsync(2, TimeSpan.FromSeconds(60))).Confirmed);
    }

    [Fact]
    public async Task Endpoints_list_MQTT_devices_with_their_broker_and_topics()
    {
        await StartAsync();
        var ev = _host.Endpoints.Single(e => e.Id == "ev-1");
        Assert.Equal(("mqtt", $"mqtt://127.0.0.1:{_broker.Port}", "v2g/ev-1", "mqtt-charger"), (ev.Protocol, ev.Uri, ev.TopicPrefix, ev.Profile));
        Assert.Equal("smes/smes-1", _host.Endpoints.Single(e => e.Id == "smes-1").TopicPrefix);
        var modbus = _host.Endpoints.Single(e => e.Id == "ev-m");
        Assert.StartsWith("modbus-tcp://127.0.0.1:", modbus.Uri);
        Assert.Null(modbus.TopicPrefix);
        Assert.Null(_host.MqttOf("ev-m"));
        // The control interface's status covers MQTT devices like the others.
        var status = new ControlInterpreter(_host.Rig).Execute("status", out _);
        Assert.Contains(status, l => l.StartsWith("ev-1: charger plugged", StringComparison.Ordinal));
    }
}
