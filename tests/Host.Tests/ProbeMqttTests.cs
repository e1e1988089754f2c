using System.CommandLine;
using System.Text.Json;
using Gateway.DeviceSims.Devices;
using Gateway.DeviceSims.Hosting;
using Gateway.Rigs;
using Gateway.Host.Cli;
using Gateway.Host.Tests.Operator;

namespace Gateway.Host.Tests;

/// <summary>The probe against simulated MQTT devices through a mosquitto started for each test: output and exit codes.</summary>
[Trait(PeerTraits.Name, PeerTraits.Mosquitto)]
public sealed class ProbeMqttTests : IAsyncLifetime
{
    private MosquittoBroker _broker = null!;
    private RigHost _host = null!;

    public async Task InitializeAsync()
    {
        _broker = await MosquittoBroker.StartAsync();
        var rig = new SimulatedRig(RigLoader.ParseSimulated($$"""
            site: probe-mqtt
            start: 2026-06-01T12:00:00Z
            timeScale: 1
            devices:
              - { id: ev-1, kind: charger, protocol: mqtt, endpoint: "mqtt://127.0.0.1:{{_broker.Port}}", profile: mqtt-charger,
                  sim: { batteryKwh: 50, socAtArrivalPercent: 42, arrival: "11:00", departure: "18:00", maxChargeKw: 7.4, maxDischargeKw: 5, rampKwPerSecond: 100 } }
              - { id: smes-1, kind: smes, protocol: mqtt, endpoint: "mqtt://127.0.0.1:{{_broker.Port}}", profile: mqtt-smes-converter,
                  sim: { inductanceH: 40, maxCurrentA: 1200, minCurrentA: 100, initialCurrentA: 800, maxPowerKw: 50 } }
            """, "probe-mqtt.yaml"), TimeProvider.System);
        _host = await RigHost.StartAsync(rig, mqttPublishPeriod: TimeSpan.FromMilliseconds(100));
        rig.StartClock();
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _broker.DisposeAsync();
    }

    private string Broker => $"mqtt://127.0.0.1:{_broker.Port}";

    // The probe's deadline runs on the wall clock; 10 s, because in the first seconds of a CI run (every test project
    // starting on two cores) a charger's first telemetry once took more than 3 s to arrive. The timeout test passes its own.
    private static async Task<(int Code, string Out, string Err)> Probe(string endpoint, string profile, string? device, bool json = false, double? set = null, double timeoutSeconds = 10)
    {
        var request = new ProbeRequest(endpoint, 1, profile, json, false, set, TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(timeoutSeconds), device);
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await ProbeRunner.RunAsync(request, ProbeConnection.Open, stdout, stderr, TimeProvider.System);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Reads_an_MQTT_charger_into_the_same_table_as_a_Modbus_one()
    {
        var (code, output, errors) = await Probe(Broker, "mqtt-charger", "ev-1");
        Assert.True(code == ExitCodes.Ok, $"exit {code}: {errors}{output}");
        Assert.Equal("", errors);
        Assert.Contains($"device {Broker} topics v2g/ev-1/…, profile mqtt-charger", output);
        Assert.Matches(@"SocPercent\s*│\s*42\s*│\s*%\s*│\s*good", output);
        Assert.Matches(@"PlugState\s*│\s*2 \(connected\)", output);
    }

    [Fact]
    public async Task Writes_a_setpoint_and_reports_it_as_json()
    {
        var (code, output, errors) = await Probe(Broker, "mqtt-smes-converter", "smes-1", json: true, set: -12.5);
        Assert.True(code == ExitCodes.Ok, errors + output);
        using var doc = JsonDocument.Parse(output);
        var root = doc.RootElement;
        Assert.Equal("smes-1", root.GetProperty("device").GetString());
        Assert.Equal("smes/smes-1", root.GetProperty("topicPrefix").GetString());
        Assert.False(root.TryGetProperty("unitId", out _));
        var setpoint = root.GetProperty("setpoint");
        Assert.True(setpoint.GetProperty("confirmed").GetBoolean());
        Assert.Equal(-12.5, setpoint.GetProperty("readBackValue").GetDouble(), 6);
        Assert.Contains(root.GetProperty("measurements").EnumerateArray(), m => m.GetProperty("point").GetString() == "StoredEnergyKwh" && m.GetProperty("quality").GetString() == "good");
        Assert.Equal(-12.5, _host.Rig.Find("smes-1")!.Image.Get("SetpointKw")!.Value, 6);
    }

    [Fact]
    public async Task An_unreachable_broker_exits_3()
    {
        var (code, _, errors) = await Probe($"mqtt://127.0.0.1:{Ports.Free()}", "mqtt-charger", "ev-1");
        Assert.Equal(ExitCodes.Unreachable, code);
        Assert.Contains("cannot reach the broker", errors);
        Assert.Contains("connection refused", errors);
    }

    [Fact]
    public async Task A_device_that_publishes_nothing_exits_4_naming_its_topics()
    {
        var (code, _, errors) = await Probe(Broker, "mqtt-charger", "ev-9", timeoutSeconds: 0.5);
        Assert.Equal(ExitCodes.Timeout, code);
        Assert.Contains("no telemetry from v2g/ev-9", errors);
        Assert.Contains("v2g/ev-9/state", errors);
    }

    [Fact]
    public async Task A_setpoint_the_device_refuses_exits_5_with_its_reason()
    {
        _host.Rig.Find("ev-1")!.Faults.Current = new Gateway.Drivers.Modbus.ModbusFault(Gateway.Drivers.Modbus.ModbusFaultKind.Exception,
            ExceptionCode: Gateway.Drivers.Modbus.ModbusExceptionCode.ServerDeviceBusy);
        var (code, _, errors) = await Probe(Broker, "mqtt-charger", "ev-1", set: 2);
        Assert.Equal(ExitCodes.DeviceException, code);
        Assert.Contains("v2g/ev-1 rejected the setpoint of 2 kW: device fault: exception 06", errors);
    }

    [Theory]
    [InlineData("v2g-charger", "ev-1", "has no 'mqtt' part")]
    [InlineData("mqtt-charger", null, "--device is needed")]
    [InlineData("no-such-profile", "ev-1", "bad profile")]
    public async Task Bad_input_exits_2(string profile, string? device, string why)
    {
        var (code, _, errors) = await Probe(Broker, profile, device);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains(why, errors);
    }

    [Theory]
    [InlineData("mqtt://127.0.0.1:1883", "--sunspec", "an MQTT device has none")]
    [InlineData("modbus-tcp://127.0.0.1:1502", "--device", "--device is for MQTT devices")]
    public async Task Options_that_do_not_fit_the_transport_exit_2(string endpoint, string option, string why)
    {
        var root = new RootCommand { ProbeVerb.Create() };
        var args = new List<string> { "probe", endpoint, "--profile", "mqtt-charger", option };
        if (option == "--device") args.Add("ev-1");
        var stderr = new StringWriter();
        var saved = Console.Error;
        Console.SetError(stderr);
        try
        {
            Assert.Equal(ExitCodes.BadInput, await root.Parse(args).InvokeAsync());
        }
        finally
        {
            Console.SetError(saved);
        }
        Assert.Contains(why, stderr.ToString());
    }
}
