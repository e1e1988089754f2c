using System.Net;
using System.Net.Sockets;
using Gateway.Drivers.Devices;
using Gateway.Drivers.Devices.Mqtt;
using Gateway.Drivers.Mqtt;
using Gateway.Drivers.Tests.Mqtt;
using Gateway.Testing;

namespace Gateway.Drivers.Tests.Devices;

/// <summary>
/// The read-only lock lives in the drivers: a read-only driver refuses every write path — setpoint, watchdog, enable point,
/// heartbeat, any point, the MQTT command and heartbeat topics — with <see cref="DeviceErrorKind.ReadOnly"/>, and nothing
/// reaches the device (no write request on the Modbus wire, no message on the broker).
/// </summary>
[Trait(PeerTraits.Name, PeerTraits.Mosquitto)]
public sealed class ReadOnlyLockTests
{
    private static readonly DateTimeOffset T0 = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly byte[] WriteFunctions = [5, 6, 15, 16, 23];

    private static RegisterImage Charger()
    {
        var image = new RegisterImage(ProfileLoader.Load("v2g-charger"));
        image.Set("ControlMode", 1);
        image.Set("WatchdogSeconds", 60);
        image.Set("MinPowerKw", -7.4);
        image.Set("MaxPowerKw", 5);
        image.Set("PlugState", 2);
        image.Set("SocPercent", 42);
        return image;
    }

    private static void AssertRefused(DeviceException e, string what)
    {
        Assert.Equal(DeviceErrorKind.ReadOnly, e.Kind);
        Assert.False(e.IsTransient);
        Assert.Contains("is read-only: refusing to", e.Message);
        Assert.Contains(what, e.Message);
    }

    [Fact]
    public async Task A_read_only_modbus_driver_reads_and_refuses_every_write_path_without_touching_the_wire()
    {
        var image = Charger();
        var client = InMemoryModbusClient.For(3, image);
        var driver = new ModbusDeviceDriver(client, 3, image.Profile, new FakeTimeProvider(T0)) { ReadOnly = true, Name = "pile unit 3" };
        Assert.True(driver.ReadOnly);
        Assert.Equal(42, (await driver.ReadAsync()).Find("SocPercent")!.Value);

        AssertRefused(await Assert.ThrowsAsync<DeviceException>(() => driver.WriteSetpointAsync(2, TimeSpan.FromSeconds(30))), "a setpoint");
        AssertRefused(await Assert.ThrowsAsync<DeviceException>(() => driver.RefreshWatchdogAsync()), "the heartbeat");
        AssertRefused(await Assert.ThrowsAsync<DeviceException>(() => driver.WritePointAsync("WatchdogSeconds", 30)), "WatchdogSeconds");
        AssertRefused(await Assert.ThrowsAsync<DeviceException>(() => driver.WritePointAsync("Heartbeat", 7)), "Heartbeat");
        AssertRefused(await Assert.ThrowsAsync<DeviceException>(() => driver.WritePointAsync("ControlMode", 0)), "ControlMode");

        Assert.DoesNotContain(client.Requests, r => WriteFunctions.Contains(r.Function));
        Assert.Equal((60.0, 0.0, 1.0), (image.Get("WatchdogSeconds")!.Value, image.Get("SetpointKw") ?? 0, image.Get("ControlMode")!.Value));
    }

    [Fact]
    public async Task A_read_only_inverter_driver_refuses_the_limit_its_enable_point_its_revert_timer_and_the_rewrite_that_re_arms_it()
    {
        var image = SimImages.Inverter();
        var client = InMemoryModbusClient.For(1, image);
        var driver = new ModbusDeviceDriver(client, 1, image.Profile) { ReadOnly = true };
        await driver.ReadAsync();

        AssertRefused(await Assert.ThrowsAsync<DeviceException>(() => driver.WriteSetpointAsync(4, TimeSpan.FromSeconds(30))), "a setpoint");
        AssertRefused(await Assert.ThrowsAsync<DeviceException>(() => driver.WritePointAsync("PowerLimitEnable", 1)), "PowerLimitEnable");
        AssertRefused(await Assert.ThrowsAsync<DeviceException>(() => driver.WritePointAsync("LimitRevertSeconds", 10)), "LimitRevertSeconds");
        AssertRefused(await Assert.ThrowsAsync<DeviceException>(() => driver.WritePointAsync("PowerLimitPercent", 50)), "PowerLimitPercent");
        // No heartbeat register: a refresh re-writes the last limit, and that is a write too.
        AssertRefused(await Assert.ThrowsAsync<DeviceException>(() => driver.RefreshWatchdogAsync()), "the heartbeat");

        Assert.DoesNotContain(client.Requests, r => WriteFunctions.Contains(r.Function));
        Assert.Equal((100.0, 0.0, 60.0), (image.Get("PowerLimitPercent")!.Value, image.Get("PowerLimitEnable")!.Value, image.Get("LimitRevertSeconds")!.Value));
    }

    public static TheoryData<string, string> EveryWritablePoint()
    {
        var data = new TheoryData<string, string>();
        foreach (var name in ProfileLoader.ShippedProfileNames())
        {
            var profile = ProfileLoader.Load(name);
            if (profile.Modbus is null) continue;
            foreach (var point in profile.Points.Where(p => p.IsWritable)) data.Add(name, point.Name);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(EveryWritablePoint))]
    public async Task No_writable_point_of_any_shipped_modbus_profile_can_be_written_read_only(string profileName, string point)
    {
        var profile = ProfileLoader.Load(profileName);
        var image = new RegisterImage(profile);
        var client = InMemoryModbusClient.For(1, image);
        var driver = new ModbusDeviceDriver(client, 1, profile) { ReadOnly = true };
        AssertRefused(await Assert.ThrowsAsync<DeviceException>(() => driver.WritePointAsync(point, 1)), point);
        Assert.DoesNotContain(client.Requests, r => WriteFunctions.Contains(r.Function));
    }

    [Fact]
    public async Task The_same_driver_writes_when_it_is_not_read_only()
    {
        var image = Charger();
        var client = InMemoryModbusClient.For(3, image);
        var driver = new ModbusDeviceDriver(client, 3, image.Profile);
        Assert.False(driver.ReadOnly);
        Assert.True((await driver.WriteSetpointAsync(2, TimeSpan.FromSeconds(30))).Confirmed);
        await driver.RefreshWatchdogAsync();
        Assert.Contains(client.Requests, r => WriteFunctions.Contains(r.Function));
    }

    [Theory]
    [InlineData("mqtt-charger", "v2g/ev-1/setpoint/set", "v2g/ev-1/heartbeat")]
    [InlineData("mqtt-smes-converter", "smes/ev-1/command", null)]
    [InlineData("mqtt-pv-inverter", "pv/ev-1/limit/set", null)]
    public async Task A_read_only_mqtt_driver_publishes_nothing_on_the_command_or_heartbeat_topics(string profileName, string commandTopic, string? heartbeatTopic)
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var profile = ProfileLoader.Load(profileName);
        var topics = heartbeatTopic is null ? new[] { commandTopic } : new[] { commandTopic, heartbeatTopic };
        await using var watcher = await MosquittoCli.SubscriberAsync(broker, topics);
        var client = new MqttClient(new MqttClientOptions { Host = "127.0.0.1", Port = broker.Port, ClientId = "ro-" + Guid.NewGuid().ToString("N")[..8] });
        await using var driver = new MqttDeviceDriver(new MqttDeviceConnection(client, $"mqtt://127.0.0.1:{broker.Port}"), "ev-1", profile, new FakeTimeProvider(T0),
            new MqttDeviceDriverOptions { FirstTelemetryTimeout = TimeSpan.FromSeconds(3), AckTimeout = TimeSpan.FromSeconds(3) }, ownsConnection: true) { ReadOnly = true };
        await driver.StartAsync();

        AssertRefused(await Assert.ThrowsAsync<DeviceException>(() => driver.WriteSetpointAsync(2, TimeSpan.FromSeconds(60))), "a setpoint command");
        // With a heartbeat topic the refresh would publish there; without one it would re-send the last command.
        AssertRefused(await Assert.ThrowsAsync<DeviceException>(() => driver.RefreshWatchdogAsync()), "the heartbeat");

        // Whatever reaches the watched topics now is the marker: nothing the driver refused went out before it.
        await MosquittoCli.PubAsync(broker, commandTopic, "marker");
        Assert.Equal((commandTopic, "marker"), await watcher.NextMessageAsync());
    }

    [Fact]
    public async Task Refusals_come_before_any_connection_is_needed()
    {
        // A read-only driver says "read-only", not "unreachable", even with no broker behind it.
        using var closed = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        closed.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)closed.LocalEndPoint!).Port;
        var client = new MqttClient(new MqttClientOptions { Host = "127.0.0.1", Port = port, ClientId = "ro-none", Reconnect = new MqttReconnectOptions { Enabled = false } });
        await using var driver = new MqttDeviceDriver(new MqttDeviceConnection(client, $"mqtt://127.0.0.1:{port}"), "ev-1", ProfileLoader.Load("mqtt-charger"), ownsConnection: true) { ReadOnly = true };
        AssertRefused(await Assert.ThrowsAsync<DeviceException>(() => driver.WriteSetpointAsync(1, TimeSpan.FromSeconds(60))), "a setpoint command");
        var unreachable = await Assert.ThrowsAsync<DeviceException>(() => driver.ReadAsync());
        Assert.Equal(DeviceErrorKind.Unreachable, unreachable.Kind);
    }
}
