using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Gateway.Runtime.Devices;
using Gateway.Runtime.Journal;
using Gateway.Runtime.Scheduling;
using Gateway.Host.Tests.Worker;
using Gateway.Runtime.Worker;
using Microsoft.Extensions.Logging;

namespace Gateway.Host.Tests.Operator;

/// <summary>
/// Issue #13, row 5: no TLS, user/password or client certificate for device and operator brokers; mqtt://user:pw@host was
/// "no such host"; on an open broker a forged retained 1000 kW "confirmed" setpoint reached subscribers. Now the gateway and
/// the simulated devices reach a mosquitto that demands TLS with client certificates, a password file and the ACL from
/// deploy/, each with its own identity; only the gateway's identity can write setpoints, and only a mapped operator can
/// acknowledge, on its own topic.
/// </summary>
[Trait(PeerTraits.Name, PeerTraits.Mosquitto)]
public sealed class SecuredBrokerTests
{
    [Fact]
    public async Task Devices_and_operators_over_TLS_with_passwords_and_the_ACL_only_the_gateway_writes_setpoints()
    {
        await using var broker = await SecuredMosquitto.StartAsync();
        var passwordVariable = "GW_TEST_MQTT_PASSWORD_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        Environment.SetEnvironmentVariable(passwordVariable, SecuredMosquitto.Users["gateway"]);
        var tls = $"{{ ca: \"{broker.CaFile}\", certificate: \"{broker.ClientCertificateFile}\", key: \"{broker.ClientKeyFile}\", serverName: localhost }}";
        var yaml = EndToEndRig.Yaml
            .Replace("""{ id: ev-a, kind: charger, node: n2, protocol: modbus-tcp, endpoint: "127.0.0.1:0", unitId: 1, profile: v2g-charger,""",
                $$"""{ id: ev-a, kind: charger, node: n2, protocol: mqtt, endpoint: "{{broker.Url}}", profile: mqtt-charger,""")
            .Replace("""{ id: smes-a, kind: smes, node: n3, protocol: modbus-tcp, endpoint: "127.0.0.1:0", unitId: 5, profile: smes-converter,""",
                $$"""{ id: smes-a, kind: smes, node: n3, protocol: mqtt, endpoint: "{{broker.Url}}", profile: mqtt-smes-converter,""")
            + $$"""

            brokers:
              - url: "{{broker.Url}}"
                tls: {{tls}}
                username: gateway
                passwordEnv: {{passwordVariable}}
                sims:
                  tls: {{tls}}
                  username: devices
                  passwordFile: "{{broker.PasswordFile("devices")}}"
            operator:
              mqtt: "{{broker.Url}}"
              mqttAckUsers: { scada-1: j.ortega }
            """;
        await using var rig = await EndToEndRig.StartAsync(yaml);
        var definition = rig.Load();
        var logs = new RecordingLoggerProvider();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
        var clock = new AcceleratedTimeProvider(rig.Sims.Rig.Clock.Now, definition.TimeScale);
        await using (var runtime = await GatewayRuntime.StartAsync(definition, loggers, rig.Endpoints, clock,
            new DevicePollerOptions { AttemptTimeout = TimeSpan.FromSeconds(3), IsolateAfterFailures = 3 }))
        {
            await runtime.WaitForFirstPollAsync(TimeSpan.FromSeconds(15));
            var healthy = Stopwatch.StartNew();
            while (!runtime.Links.All(l => l.State == Gateway.Runtime.Status.DeviceLinkState.Healthy))
            {
                Assert.True(healthy.Elapsed < TimeSpan.FromSeconds(30),
                    string.Join("; ", runtime.Links.Select(l => $"{l.Device.Id} {l.State} {l.LastError}")) + $"\nsims: {rig.Sims.MqttOf("ev-a")!.ConnectionState}\n{broker.Log}\n{logs.Text}");
                await Task.Delay(50);
            }
            var outcomes = new List<RoundOutcome>();
            for (var i = 0; i < 2; i++) outcomes.Add(await runtime.TickAsync());
            foreach (var o in outcomes)
                foreach (var id in new[] { "ev-a", "smes-a" })
                    Assert.Equal(SetpointStatus.Confirmed, Assert.Single(o.Setpoints, s => s.DeviceId == id).Status);
            Assert.True(rig.Sims.MqttOf("ev-a")!.CommandsApplied >= 2);
            await WaitAsync(() => runtime.Board.Snapshot().Brokers.Any(b => b.Name == "operators" && b.Connected), "the operator broker connects");

            // The gateway's retained setpoint, as an operator (scada-1) reads it over TLS.
            var roundId = outcomes[^1].RoundId;
            var genuine = await SetpointAsync(broker, "ev-a", s => s.GetProperty("roundId").GetString() == roundId);

            // A forged retained "1000 kW confirmed" from another identity is dropped by the broker (ACL): subscribers never see it.
            await broker.PublishAsync("mallory", "gw/e2e/setpoints/ev-a", """{"roundId":"forged","deviceId":"ev-a","setpointKw":1000,"status":"confirmed"}""", retain: true);
            await broker.PublishAsync("devices", "gw/e2e/setpoints/ev-a", """{"roundId":"forged","deviceId":"ev-a","setpointKw":1000,"status":"confirmed"}""", retain: true);
            var after = await SetpointAsync(broker, "ev-a", _ => true);
            Assert.Equal(genuine.GetProperty("setpointKw").GetDouble(), after.GetProperty("setpointKw").GetDouble());
            Assert.Equal(roundId, after.GetProperty("roundId").GetString());
            // Nor can another identity command a device.
            var applied = rig.Sims.MqttOf("ev-a")!.CommandsApplied;
            await broker.PublishAsync("mallory", "v2g/ev-a/setpoint/set", """{"id":"x","powerW":-1000000,"validForSeconds":600}""");

            // Acknowledgements: mallory cannot write scada-1's topic; its own topic is not mapped to an operator; scada-1 acknowledges as j.ortega.
            await broker.PublishAsync("mallory", "gw/e2e/operator/ack/scada-1", $$"""{"roundId":"{{roundId}}"}""");
            await broker.PublishAsync("mallory", "gw/e2e/operator/ack/mallory", $$"""{"roundId":"{{roundId}}"}""");
            await Task.Delay(500);
            Assert.False(runtime.Board.IsAcknowledged(roundId));
            await broker.PublishAsync("scada-1", "gw/e2e/operator/ack/scada-1", $$"""{"roundId":"{{roundId}}"}""");
            await WaitAsync(() => runtime.Board.IsAcknowledged(roundId), "scada-1's acknowledgement is recorded");
            var ack = Assert.Single(runtime.Board.Snapshot().Acknowledgements, a => a.RoundId == roundId);
            Assert.Equal(("j.ortega", "mqtt", "broker user scada-1"), (ack.OperatorId, ack.Via, ack.Source));
            Assert.Equal(applied, rig.Sims.MqttOf("ev-a")!.CommandsApplied);
        }
        Environment.SetEnvironmentVariable(passwordVariable, null);

        // Passwords are never printed; where they come from is.
        var text = logs.Text;
        foreach (var password in SecuredMosquitto.Users.Values) Assert.DoesNotContain(password, text);
        Assert.Contains($"password from ${passwordVariable}", text);
    }

    private static async Task<JsonElement> SetpointAsync(SecuredMosquitto broker, string device, Func<JsonElement, bool> wanted)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var lines = await broker.RetainedAsync("scada-1", $"gw/e2e/setpoints/{device}");
            if (lines.Length == 1)
            {
                var payload = JsonDocument.Parse(lines[0][(lines[0].IndexOf(' ') + 1)..]).RootElement.Clone();
                if (wanted(payload)) return payload;
            }
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"retained setpoint of {device}: {string.Join(" | ", lines)}\n{broker.Log}");
            await Task.Delay(200);
        }
    }

    private static async Task WaitAsync(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), "timed out: " + what);
            await Task.Delay(50);
        }
    }
}

/// <summary>Keeps every formatted log line, for checks on what the gateway prints.</summary>
internal sealed class RecordingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public string Text => string.Join("\n", _lines);

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose() { }

    private sealed class Logger(RecordingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner._lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception?.Message}");
    }
}

/// <summary>Broker addresses with credentials, and where a password may come from; the password never shows.</summary>
public sealed class BrokerCredentialsTests
{
    [Theory]
    [InlineData("mqtt://gateway:s3cr%40t@broker.site:1884", "broker.site", 1884, false, "gateway", "s3cr@t", "mqtt://gateway@broker.site:1884")]
    [InlineData("mqtts://gateway@10.0.0.5", "10.0.0.5", 8883, true, "gateway", null, "mqtts://gateway@10.0.0.5:8883")]
    [InlineData("mqtt://127.0.0.1", "127.0.0.1", 1883, false, null, null, "mqtt://127.0.0.1:1883")]
    public void Addresses_carry_user_password_and_tls_and_never_print_the_password(string text, string host, int port, bool tls, string? user, string? password, string shown)
    {
        var a = Gateway.Drivers.Devices.Mqtt.MqttBrokerAddress.Parse(text);
        Assert.Equal((host, port, tls, user, password), (a.Host, a.Port, a.UseTls, a.UserName, a.Password));
        Assert.Equal(shown, a.ToString());
        Assert.DoesNotContain("s3cr", Gateway.Drivers.Devices.Mqtt.MqttBrokerAddress.Mask(text));
    }

    [Fact]
    public void A_bad_address_names_the_problem_without_the_password()
    {
        Assert.False(Gateway.Drivers.Devices.Mqtt.MqttBrokerAddress.TryParse("mqtt://u:hunter2@host:99999", out _, out var error));
        Assert.Contains("99999", error);
        Assert.DoesNotContain("hunter2", error);
        Assert.False(Gateway.Drivers.Devices.Mqtt.MqttBrokerAddress.TryParse("mqtt://:hunter2@host", out _, out error));
        Assert.Contains("no user name", error);
    }

    [Fact]
    public async Task A_device_broker_with_user_and_password_in_its_address_is_reached_and_a_wrong_password_is_refused()
    {
        await using var broker = await SecuredMosquitto.StartAsync();
        var logs = new RecordingLoggerProvider();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs));
        var good = Uri.EscapeDataString(SecuredMosquitto.Users["gateway"]);
        await using (var connector = new DeviceConnector(TimeProvider.System, siteId: "creds", logger: loggers.CreateLogger("t")))
        {
            var device = new Gateway.Rigs.RigDevice
            {
                Id = "ev-9", DeviceKind = Gateway.Rigs.DeviceKind.Charger, ParticipantId = "ev-9", NodeId = "n1", Protocol = "mqtt",
                Endpoint = $"mqtt://gateway:{good}@127.0.0.1:{broker.PlainPort}", Profile = "mqtt-charger",
            };
            await using var link = connector.Open(device);
            await ((Gateway.Drivers.Devices.Mqtt.MqttDeviceDriver)link.Driver).StartAsync();

            var wrong = device with { Id = "ev-8", Endpoint = $"mqtt://gateway:wrong-password@127.0.0.1:{broker.PlainPort}" };
            await using var refused = connector.Open(wrong);
            var e = await Assert.ThrowsAsync<Gateway.Drivers.Devices.DeviceException>(() => ((Gateway.Drivers.Devices.Mqtt.MqttDeviceDriver)refused.Driver).StartAsync());
            Assert.Equal(Gateway.Drivers.Devices.DeviceErrorKind.Unreachable, e.Kind);
            Assert.IsType<Gateway.Drivers.Mqtt.MqttConnectException>(e.InnerException);
            Assert.DoesNotContain("wrong-password", e.Message);
        }
        Assert.DoesNotContain(SecuredMosquitto.Users["gateway"], logs.Text);
        Assert.DoesNotContain("wrong-password", logs.Text);
        Assert.Contains("password from the address", logs.Text);
    }
}
