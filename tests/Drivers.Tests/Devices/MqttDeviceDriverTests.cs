using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Gateway.Drivers.Devices;
using Gateway.Drivers.Devices.Mqtt;
using Gateway.Drivers.Mqtt;
using Gateway.Drivers.Tests.Mqtt;
using Gateway.Testing;

namespace Gateway.Drivers.Tests.Devices;

/// <summary>
/// <see cref="MqttDeviceDriver"/> against a real mosquitto started for each test, with an independent
/// client on the other side: telemetry and acknowledgements come from <c>mosquitto_pub</c>, commands
/// are observed with <c>mosquitto_sub</c>.
/// </summary>
[Trait(PeerTraits.Name, PeerTraits.Mosquitto)]
public sealed class MqttDeviceDriverTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _clock = new(T0);
    private readonly List<IAsyncDisposable> _owned = [];
    private MosquittoBroker _broker = null!;

    public async Task InitializeAsync() => _broker = await MosquittoBroker.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var d in Enumerable.Reverse(_owned)) await d.DisposeAsync();
        await _broker.DisposeAsync();
    }

    private const string State = """{"power":{"w":7400},"setpoint":{"powerW":7400,"validForSeconds":60},"limits":{"maxChargeW":7400,"maxDischargeW":5000},"plug":1,"error":0,"ev":{"soc":42,"capacityWh":60000,"targetSoc":80,"minutesToDeparture":415}}""";

    private async Task<MqttDeviceDriver> DriverAsync(string profile = "mqtt-charger", string device = "ev-1", MqttDeviceDriverOptions? options = null)
    {
        var client = new MqttClient(new MqttClientOptions { Host = "127.0.0.1", Port = _broker.Port, ClientId = "gw-" + Guid.NewGuid().ToString("N")[..8] });
        var connection = new MqttDeviceConnection(client, $"mqtt://127.0.0.1:{_broker.Port}");
        var driver = new MqttDeviceDriver(connection, device, ProfileLoader.Load(profile), _clock,
            options ?? new MqttDeviceDriverOptions { FirstTelemetryTimeout = TimeSpan.FromSeconds(3), AckTimeout = TimeSpan.FromSeconds(3) },
            ownsConnection: true);
        _owned.Add(driver);
        await driver.StartAsync();
        return driver;
    }

    [Fact]
    public async Task Reads_telemetry_from_mosquitto_pub_scaled_signed_and_stamped_on_receipt()
    {
        var driver = await DriverAsync();
        await PubAsync("v2g/ev-1/state", State);
        await ReadUntilAsync(driver, r => r.Find("SocPercent")!.Value is not null);
        _clock.Advance(TimeSpan.FromSeconds(5));
        await PubAsync("v2g/ev-1/energy", """{"importedWh":123456,"exportedWh":4567}""");
        var reading = await ReadUntilAsync(driver, r => r.Find("EnergyImportedKwh")!.Value is not null);

        Assert.Equal(-7.4, reading.Find("PowerKw")!.Value!.Value, 9);                    // 7400 W charging = -7.4 kW delivered
        Assert.Equal(-7.4, reading.Find("MinPowerKw")!.Value!.Value, 9);
        Assert.Equal(5, reading.Find("MaxPowerKw")!.Value!.Value, 9);
        Assert.Equal(42, reading.Find("SocPercent")!.Value);
        Assert.Equal(60, reading.Find("EvCapacityKwh")!.Value!.Value, 9);
        Assert.Equal("charging", reading.Find("PlugState")!.Text);
        Assert.Equal(123.456, reading.Find("EnergyImportedKwh")!.Value!.Value, 9);
        Assert.All(reading.Measurements, m => Assert.Equal(MeasurementQuality.Good, m.Quality));
        Assert.Equal(T0, reading.Find("PowerKw")!.Timestamp);                             // received before the clock moved
        Assert.Equal(T0.AddSeconds(5), reading.Find("EnergyImportedKwh")!.Timestamp);

        // A partial update changes what it carries and leaves the rest as it was.
        _clock.Advance(TimeSpan.FromSeconds(5));
        await PubAsync("v2g/ev-1/state", """{"power":{"w":-3000}}""");
        reading = await ReadUntilAsync(driver, r => r.Find("PowerKw")!.Value > 0);
        Assert.Equal(3, reading.Find("PowerKw")!.Value!.Value, 9);
        Assert.Equal(42, reading.Find("SocPercent")!.Value);
        Assert.Equal(T0, reading.Find("SocPercent")!.Timestamp);

        // Stale by age, as for Modbus: the poller judges readings with AsOf.
        var later = reading.AsOf(T0.AddSeconds(40), TimeSpan.FromSeconds(35));
        Assert.Equal(MeasurementQuality.Stale, later.Find("SocPercent")!.Quality);
        Assert.Equal(MeasurementQuality.Good, later.Find("PowerKw")!.Quality);
    }

    [Fact]
    public async Task Null_and_absent_markers_are_absent_never_zero_and_values_beyond_the_limits_are_out_of_range()
    {
        var driver = await DriverAsync();
        await PubAsync("v2g/ev-1/state", """{"power":{"w":30000},"plug":"disconnected","ev":{"soc":null,"capacityWh":null}}""");
        var reading = await ReadUntilAsync(driver, r => r.Find("PlugState")!.Value is not null);
        Assert.Equal(MeasurementQuality.Absent, reading.Find("SocPercent")!.Quality);
        Assert.Null(reading.Find("SocPercent")!.Value);
        Assert.Equal(MeasurementQuality.Absent, reading.Find("EvCapacityKwh")!.Quality);
        Assert.Equal(MeasurementQuality.Absent, reading.Find("EnergyExportedKwh")!.Quality);    // never received
        Assert.Equal(0, reading.Find("PlugState")!.Value);                                       // the state's name
        Assert.Equal(MeasurementQuality.OutOfRange, reading.Find("PowerKw")!.Quality);           // -30 kW beyond ±22.5
        Assert.Equal(-30, reading.Find("PowerKw")!.Value!.Value, 9);

        // The profile's own marker (65535) is absent too.
        var path = Path.Combine(_broker.Directory, "marker.yaml");
        await File.WriteAllTextAsync(path, ProfileLoader.ShippedProfileText("mqtt-meter")!
            .Replace("mqtt: { field: frequencyHz }", "mqtt: { field: frequencyHz, absent: 65535 }"));
        var meter = await DriverAsync(path, "m-1");
        await PubAsync("meter/m-1/telemetry", """{"frequencyHz":65535,"power":{"w":1000},"serial":"SN-7"}""");
        reading = await ReadUntilAsync(meter, r => r.Find("PowerKw")!.Value is not null);
        Assert.Equal(MeasurementQuality.Absent, reading.Find("FrequencyHz")!.Quality);
        Assert.Equal(-1, reading.Find("PowerKw")!.Value!.Value, 9);
        Assert.Equal("SN-7", reading.Find("SerialNumber")!.Text);
    }

    [Fact]
    public async Task Garbled_payloads_and_wrongly_typed_fields_are_counted_and_never_replace_good_values()
    {
        var driver = await DriverAsync();
        await PubAsync("v2g/ev-1/state", State);
        await ReadUntilAsync(driver, r => r.Find("SocPercent")!.Value is not null);

        await PubAsync("v2g/ev-1/state", "{\"power\": {\"w\": 74");
        await PubAsync("v2g/ev-1/state", "[1, 2, 3]");
        await PubAsync("v2g/ev-1/state", """{"ev":{"soc":"high"},"power":{"w":{"value":1}},"plug":"flying"}""");
        await PubAsync("v2g/ev-1/energy", """{"importedWh":1000,"exportedWh":0}""");
        var reading = await ReadUntilAsync(driver, r => r.Find("EnergyImportedKwh")!.Value is not null);

        Assert.Equal(2, driver.MalformedPayloads);
        Assert.Equal(3, driver.FieldErrors);
        Assert.Contains("v2g/ev-1/state", driver.LastPayloadError);
        Assert.Contains("field 'ev.soc' (SocPercent) is a string", driver.LastPayloadError);
        Assert.Equal(42, reading.Find("SocPercent")!.Value);
        Assert.Equal(-7.4, reading.Find("PowerKw")!.Value!.Value, 9);
        Assert.Equal("charging", reading.Find("PlugState")!.Text);
        Assert.All(reading.Measurements, m => Assert.Equal(MeasurementQuality.Good, m.Quality));
    }

    [Fact]
    public async Task The_first_read_without_telemetry_fails_after_a_bounded_wait_and_a_silent_device_fails_its_reads()
    {
        var driver = await DriverAsync(options: new MqttDeviceDriverOptions { FirstTelemetryTimeout = TimeSpan.FromMilliseconds(300), SilenceTimeout = TimeSpan.FromMilliseconds(600) });
        var watch = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<MqttDeviceTimeoutException>(() => driver.ReadAsync());
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(3));
        Assert.Contains("no telemetry from v2g/ev-1", e.Message);
        Assert.Contains("v2g/ev-1/state", e.Message);

        await PubAsync("v2g/ev-1/state", State);
        await ReadUntilAsync(driver, r => r.Find("SocPercent")!.Value is not null);
        await Task.Delay(800);
        e = await Assert.ThrowsAsync<MqttDeviceTimeoutException>(() => driver.ReadAsync());
        Assert.Contains("has published no telemetry for", e.Message);
    }

    [Fact]
    public async Task A_setpoint_is_clamped_to_the_device_limits_sent_in_device_units_and_confirmed_by_the_ack()
    {
        var driver = await DriverAsync();
        await PubAsync("v2g/ev-1/state", State);
        await ReadUntilAsync(driver, r => r.Find("SocPercent")!.Value is not null);

        await using var sub = await SubscriberAsync("v2g/ev-1/setpoint/set");
        var write = driver.WriteSetpointAsync(-10, TimeSpan.FromSeconds(90));          // beyond the charger's 7.4 kW
        var command = JsonDocument.Parse(await sub.NextAsync()).RootElement;
        Assert.Equal(7400, command.GetProperty("powerW").GetDouble());                  // charging counts positive on this device
        Assert.Equal(90, command.GetProperty("validForSeconds").GetDouble());
        Assert.Equal(T0.AddSeconds(90), DateTimeOffset.Parse(command.GetProperty("validUntil").GetString()!));
        var id = command.GetProperty("id").GetString()!;
        await PubAsync("v2g/ev-1/setpoint/ack", $$"""{"id":"{{id}}","accepted":true,"appliedW":7400}""");
        var result = await write;

        Assert.Equal(-10, result.RequestedKw);
        Assert.Equal(-7.4, result.TargetKw, 9);
        Assert.Equal("device limit MinPowerKw", result.ClampedBy);
        Assert.Equal(-7.4, result.ReadBackValue!.Value, 9);
        Assert.True(result.Confirmed);
        Assert.Equal(TimeSpan.FromSeconds(90), result.ValidFor);

        // Discharging is capped by the live max-power point, and the watchdog's 600 s bounds the validity.
        write = driver.WriteSetpointAsync(8, TimeSpan.FromHours(1));
        command = JsonDocument.Parse(await sub.NextAsync()).RootElement;
        Assert.Equal(-5000, command.GetProperty("powerW").GetDouble());
        Assert.Equal(600, command.GetProperty("validForSeconds").GetDouble());
        await PubAsync("v2g/ev-1/setpoint/ack", $$"""{"id":"{{command.GetProperty("id").GetString()}}","accepted":true,"appliedW":-4000}""");
        result = await write;
        Assert.Equal("device limit MaxPowerKw", result.ClampedBy);
        Assert.Equal(4, result.ReadBackValue!.Value, 9);
        Assert.False(result.Confirmed);                                                // the device applied less than asked
    }

    [Fact]
    public async Task A_missing_ack_times_out_and_a_late_ack_never_answers_the_next_command()
    {
        // Long enough for two mosquitto_pub processes on a loaded machine, short enough for a quick test.
        var driver = await DriverAsync(options: new MqttDeviceDriverOptions { FirstTelemetryTimeout = TimeSpan.FromSeconds(3), AckTimeout = TimeSpan.FromSeconds(2) });
        await PubAsync("v2g/ev-1/state", State);
        await ReadUntilAsync(driver, r => r.Find("SocPercent")!.Value is not null);
        await using var sub = await SubscriberAsync("v2g/ev-1/setpoint/set");

        var e = await Assert.ThrowsAsync<MqttDeviceTimeoutException>(() => driver.WriteSetpointAsync(3, TimeSpan.FromSeconds(60)));
        Assert.Contains("did not acknowledge command", e.Message);
        Assert.Contains("v2g/ev-1/setpoint/ack", e.Message);
        var lateId = JsonDocument.Parse(await sub.NextAsync()).RootElement.GetProperty("id").GetString()!;

        var write = driver.WriteSetpointAsync(2, TimeSpan.FromSeconds(60));
        var id = JsonDocument.Parse(await sub.NextAsync()).RootElement.GetProperty("id").GetString()!;
        await PubAsync("v2g/ev-1/setpoint/ack", $$"""{"id":"{{lateId}}","accepted":true,"appliedW":-3000}""");
        await PubAsync("v2g/ev-1/setpoint/ack", $$"""{"id":"{{id}}","accepted":true,"appliedW":-2000}""");
        var result = await write;
        Assert.Equal(2, result.ReadBackValue!.Value, 9);
        Assert.True(result.Confirmed);
        Assert.True(driver.IgnoredMessages >= 1);
    }

    [Fact]
    public async Task A_rejected_setpoint_raises_the_device_reason()
    {
        var driver = await DriverAsync();
        await PubAsync("v2g/ev-1/state", State);
        await ReadUntilAsync(driver, r => r.Find("SocPercent")!.Value is not null);
        await using var sub = await SubscriberAsync("v2g/ev-1/setpoint/set");

        var write = driver.WriteSetpointAsync(4, TimeSpan.FromSeconds(60));
        var id = JsonDocument.Parse(await sub.NextAsync()).RootElement.GetProperty("id").GetString()!;
        await PubAsync("v2g/ev-1/setpoint/ack", $$"""{"id":"{{id}}","accepted":false,"reason":"vehicle does not allow V2G"}""");
        var e = await Assert.ThrowsAsync<SetpointRejectedException>(() => write);
        Assert.Equal("vehicle does not allow V2G", e.Reason);
        Assert.Contains("v2g/ev-1 rejected the setpoint of 4 kW", e.Message);
    }

    [Fact]
    public async Task The_watchdog_is_refreshed_on_the_heartbeat_topic_or_by_resending_the_last_command()
    {
        var charger = await DriverAsync();
        await using var heartbeats = await SubscriberAsync("v2g/ev-1/heartbeat");
        await charger.RefreshWatchdogAsync();
        await charger.RefreshWatchdogAsync();
        Assert.Equal(1, JsonDocument.Parse(await heartbeats.NextAsync()).RootElement.GetProperty("seq").GetInt32());
        Assert.Equal(2, JsonDocument.Parse(await heartbeats.NextAsync()).RootElement.GetProperty("seq").GetInt32());

        // The SMES map has no heartbeat and no applied value in its ack: the read-back comes from the
        // telemetry that follows, and a refresh re-sends the setpoint.
        var smes = await DriverAsync("mqtt-smes-converter", "smes-1");
        const string telemetry = """{"status":"standby","powerW":0,"setpointW":0,"validForSeconds":60,"limits":{"minW":-50000,"maxW":50000}}""";
        await PubAsync("smes/smes-1/telemetry", telemetry);
        await ReadUntilAsync(smes, r => r.Find("Status")!.Value is not null);
        await using var commands = await SubscriberAsync("smes/smes-1/command");
        var write = smes.WriteSetpointAsync(-20, TimeSpan.FromSeconds(120));
        var command = JsonDocument.Parse(await commands.NextAsync()).RootElement;
        Assert.Equal(-20000, command.GetProperty("setpointW").GetDouble());
        Assert.False(command.TryGetProperty("validUntil", out _));                      // validity: valid-for
        await PubAsync("smes/smes-1/ack", $$"""{"id":"{{command.GetProperty("id").GetString()}}","accepted":true}""");
        await PubAsync("smes/smes-1/telemetry", telemetry.Replace("\"setpointW\":0", "\"setpointW\":-20000"));
        var result = await write;
        Assert.Equal(-20, result.ReadBackValue!.Value, 9);
        Assert.True(result.Confirmed);

        var refresh = smes.RefreshWatchdogAsync();
        var again = JsonDocument.Parse(await commands.NextAsync()).RootElement;
        Assert.Equal(-20000, again.GetProperty("setpointW").GetDouble());
        Assert.NotEqual(command.GetProperty("id").GetString(), again.GetProperty("id").GetString());
        await PubAsync("smes/smes-1/ack", $$"""{"id":"{{again.GetProperty("id").GetString()}}","accepted":true}""");
        await refresh;
    }

    private static async Task<DeviceReading> ReadUntilAsync(MqttDeviceDriver driver, Func<DeviceReading, bool> done)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var reading = await driver.ReadAsync();
            if (done(reading)) return reading;
            if (watch.Elapsed > TimeSpan.FromSeconds(5)) Assert.Fail("the reading did not show the published telemetry within 5 s");
            await Task.Delay(20);
        }
    }

    private Task PubAsync(string topic, string payload) => MosquittoCli.PubAsync(_broker, topic, payload);

    private Task<MosquittoCli.Subscriber> SubscriberAsync(string topic) => MosquittoCli.SubscriberAsync(_broker, topic);
}
