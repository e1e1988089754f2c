using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Gateway.DeviceSims.Devices;
using Gateway.DeviceSims.Hosting;
using Gateway.Rigs;
using Gateway.Host.Cli;
using Gateway.Host.Tests.Operator;
using Gateway.Testing;

namespace Gateway.Host.Tests.Field;

/// <summary>
/// <c>gateway scan</c> on the simulators: the units behind a TCP endpoint with their SunSpec models, the units on an RTU
/// line on a socat pseudo-terminal, the MQTT devices publishing on a mosquitto; one line and the documented exit code
/// when nothing answers or the endpoint is unreachable, the same in JSON.
/// </summary>
[Trait(PeerTraits.Name, PeerTraits.Mosquitto)]
public sealed class ScanTests
{
    private static async Task<(int Code, string Out, string Err)> Scan(ScanRequest request)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await ScanRunner.RunAsync(request, stdout, stderr, TimeProvider.System);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static ScanRequest Modbus(string endpoint, string units = ScanUnitRange.Default, double timeout = 0.5, bool json = false)
    {
        Assert.True(ScanUnitRange.TryParse(units, out var ids, out var error), error);
        return new ScanRequest(endpoint, ids, TimeSpan.FromSeconds(timeout), 4, TimeSpan.FromSeconds(1), null, json);
    }

    [Fact]
    public async Task A_tcp_scan_of_the_whole_range_lists_the_units_behind_one_endpoint()
    {
        await using var bench = await FieldBench.StartAsync(new FakeTimeProvider(new DateTimeOffset(2026, 6, 1, 11, 0, 0, TimeSpan.Zero)));
        var (code, output, errors) = await Scan(Modbus(bench.Endpoint));
        Assert.True(code == ExitCodes.Ok, errors);
        Assert.Matches(@"│ 1\s+│ SunSpec\s+│ 1, 203\s+│ Gateway Sims │ SIM-METER\s*│ meter-1 │ sunspec-meter", output);
        Assert.Matches(@"│ 3\s+│ answers, not SunSpec", output);
        Assert.Matches(@"│ 7\s+│ SunSpec\s+│ 1, 103, 120, 123, 302 │ Gateway Sims │ SIM-PV\s*│ pv-7\s*│ sunspec-inverter", output);
        Assert.Contains("247 unit ids (1–247) asked", output);
        Assert.Contains($"next: gateway probe {bench.Endpoint} --unit 1 --sunspec", output);

        (code, output, _) = await Scan(Modbus(bench.Endpoint, "1-10", json: true));
        Assert.Equal(ExitCodes.Ok, code);
        using var json = JsonDocument.Parse(output);
        Assert.Equal(10, json.RootElement.GetProperty("unitsAsked").GetInt32());
        Assert.Equal([1, 3, 7], json.RootElement.GetProperty("units").EnumerateArray().Select(u => u.GetProperty("unitId").GetInt32()));
        Assert.Equal("sunspec-inverter", json.RootElement.GetProperty("units")[2].GetProperty("profile").GetString());
    }

    [Fact]
    public async Task An_rtu_scan_asks_one_unit_at_a_time_and_skips_the_silent_ids()
    {
        var dir = Directory.CreateTempSubdirectory("scan-rtu-").FullName;
        try
        {
            var tty = Path.Combine(dir, "ttyBUS");
            var rig = new SimulatedRig(RigLoader.ParseSimulated($$"""
                site: scan-rtu
                start: 2026-06-01T12:00:00Z
                timeScale: 1
                devices:
                  - { id: ev-1, kind: charger, protocol: modbus-rtu, endpoint: "{{tty}}?baud=38400&parity=E", unitId: 4, profile: v2g-charger,
                      sim: { batteryKwh: 50, socAtArrivalPercent: 64, arrival: "11:00", departure: "18:00", maxChargeKw: 7.4, maxDischargeKw: 5 } }
                  - { id: pv-1, kind: pv-inverter, protocol: modbus-rtu, endpoint: "{{tty}}?baud=38400&parity=E", unitId: 6, profile: sunspec-inverter,
                      sim: { ratedKwp: 5, irradiance: { clearSky: { peakWPerM2: 900, sunrise: "06:00", sunset: "20:00" } } } }
                """, "scan-rtu.yaml"), TestClocks.New());
            await using var host = await RigHost.StartAsync(rig);
            // 1 s per request: a unit's SunSpec walk is several requests at 38,400 baud through a pty pair, and on a loaded
            // 2-core machine 0.3 s cut it short; the six silent ids cost 6 s.
            var (code, output, errors) = await Scan(Modbus(host.Endpoints[0].Uri, "1-8", timeout: 1));
            Assert.True(code == ExitCodes.Ok, errors);
            Assert.Contains("(1 at a time, 1 s each)", errors);
            Assert.Matches(@"│ 4\s+│ answers, not SunSpec", output);
            Assert.Matches(@"│ 6\s+│ SunSpec\s+│ 1, 103, 120, 123, 302", output);
            Assert.DoesNotMatch(@"│ [12358]\s+│", output);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task An_mqtt_scan_lists_the_device_ids_seen_per_shipped_topic_map()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var rig = new SimulatedRig(RigLoader.ParseSimulated($$"""
            site: scan-mqtt
            start: 2026-06-01T12:00:00Z
            timeScale: 1
            devices:
              - { id: pile-m1, kind: charger, protocol: mqtt, endpoint: "mqtt://127.0.0.1:{{broker.Port}}", profile: mqtt-charger,
                  sim: { batteryKwh: 50, socAtArrivalPercent: 42, arrival: "11:00", departure: "18:00", maxChargeKw: 7.4, maxDischargeKw: 5 } }
              - { id: smes-1, kind: smes, protocol: mqtt, endpoint: "mqtt://127.0.0.1:{{broker.Port}}", profile: mqtt-smes-converter,
                  sim: { inductanceH: 40, maxCurrentA: 1200, minCurrentA: 100, initialCurrentA: 800, maxPowerKw: 50 } }
            """, "scan-mqtt.yaml"), TimeProvider.System);
        await using var host = await RigHost.StartAsync(rig, mqttPublishPeriod: TimeSpan.FromMilliseconds(100));
        var request = new ScanRequest($"mqtt://127.0.0.1:{broker.Port}", [], TimeSpan.FromSeconds(3), 1, TimeSpan.FromSeconds(2), null, Json: true);
        var (code, output, errors) = await Scan(request);
        Assert.True(code == ExitCodes.Ok, errors + output);
        using var json = JsonDocument.Parse(output);
        var devices = json.RootElement.GetProperty("devices").EnumerateArray().Select(d => (d.GetProperty("profile").GetString(), d.GetProperty("device").GetString())).ToList();
        Assert.Equal([("mqtt-charger", "pile-m1"), ("mqtt-smes-converter", "smes-1")], devices);
        Assert.Contains("mqtt-pv-inverter", json.RootElement.GetProperty("profiles").EnumerateArray().Select(p => p.GetString()));
    }

    [Fact]
    public async Task Nothing_answering_exits_1_and_an_unreachable_endpoint_exits_3_in_one_line()
    {
        await using var bench = await FieldBench.StartAsync(TestClocks.New());
        var (code, _, errors) = await Scan(Modbus(bench.Endpoint, "100-103"));
        Assert.Equal(ExitCodes.Failed, code);
        Assert.Contains("scan: no unit answered among 4 unit ids (100–103) within 0.5 s each", errors);

        using var closed = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        closed.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var endpoint = $"modbus-tcp://127.0.0.1:{((IPEndPoint)closed.LocalEndPoint!).Port}";
        (code, var output, errors) = await Scan(Modbus(endpoint, json: true));
        Assert.Equal(ExitCodes.Unreachable, code);
        Assert.Equal($"scan: cannot reach {endpoint}: connection refused (nothing listens on that port)", errors.Trim());
        using var json = JsonDocument.Parse(output);
        Assert.Equal(ExitCodes.Unreachable, json.RootElement.GetProperty("exitCode").GetInt32());
        ProbeHostileServerTests.NoStackTrace(output + errors);
    }

    [Fact]
    public void The_practice_bench_of_the_walkthrough_puts_three_units_behind_one_endpoint_and_a_pile_on_a_broker()
    {
        var rig = RigLoader.LoadSimulated(Repository.PathOf("hil-rigs", "commissioning", "rig.yaml"));
        Assert.Equal(1, rig.TimeScale);
        Assert.Equal([(1, "meter-1"), (3, "pile-3"), (7, "pv-7")],
            rig.Devices.Where(d => d.Endpoint == "127.0.0.1:15300").Select(d => ((int)d.UnitId, d.Id)).OrderBy(x => x.Item1));
        Assert.Contains(rig.Devices, d => d.Protocol == "mqtt" && d.Id == "pile-m1");
        _ = new SimulatedRig(rig, TestClocks.New());
    }

    [Theory]
    [InlineData("1-247", 247)]
    [InlineData("3", 1)]
    [InlineData("1,3,10-12", 5)]
    [InlineData("0-255", 256)]
    public void Unit_ranges_parse(string text, int count)
    {
        Assert.True(ScanUnitRange.TryParse(text, out var units, out _));
        Assert.Equal(count, units.Count);
    }

    [Theory]
    [InlineData("1-300")]
    [InlineData("7-3")]
    [InlineData("x")]
    [InlineData(",")]
    public void Bad_unit_ranges_say_why(string text)
    {
        Assert.False(ScanUnitRange.TryParse(text, out _, out var error));
        Assert.Contains("--units", error);
    }
}
