using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Gateway.DeviceSims.Devices;
using Gateway.DeviceSims.Hosting;
using Gateway.Rigs;
using Gateway.Drivers.Modbus;
using Gateway.Host.Cli;
using Gateway.Testing;

namespace Gateway.Host.Tests;

/// <summary>The probe against running simulators over loopback TCP: output and exit codes.</summary>
public sealed class ProbeTcpTests : IAsyncLifetime
{
    private const string Rig = """
        site: probe-tcp
        start: 2026-06-01T12:00:00Z
        timeScale: 1
        devices:
          - { id: ev-1, kind: charger, endpoint: "127.0.0.1:0", unitId: 3, profile: v2g-charger,
              sim: { batteryKwh: 50, socAtArrivalPercent: 42, arrival: "11:00", departure: "18:00", maxChargeKw: 7.4, maxDischargeKw: 5 } }
          - { id: pv-1, kind: pv-inverter, endpoint: "127.0.0.1:0", unitId: 1, profile: sunspec-inverter,
              sim: { ratedKwp: 10, irradiance: { clearSky: { peakWPerM2: 1000, sunrise: "06:00", sunset: "18:00" } } } }
        """;

    private SimulatedRig _rig = null!;
    private RigHost _host = null!;

    public async Task InitializeAsync()
    {
        _rig = new SimulatedRig(RigLoader.ParseSimulated(Rig, "probe-tcp.yaml"), TestClocks.New());
        _host = await RigHost.StartAsync(_rig);
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private string Uri(string id) => _host.Endpoints.Single(e => e.Id == id).Uri;

    private static async Task<(int Code, string Out, string Err)> Probe(string endpoint, string profile, byte unit = 3, bool json = false, bool sunSpec = false, double? set = null, double timeoutSeconds = 10)
    {
        var request = new ProbeRequest(endpoint, unit, profile, json, sunSpec, set, TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(timeoutSeconds));
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await ProbeRunner.RunAsync(request, ProbeConnection.Open, stdout, stderr, TimeProvider.System);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Reads_a_charger_into_a_table()
    {
        var (code, output, errors) = await Probe(Uri("ev-1"), "v2g-charger");
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Equal("", errors);
        Assert.Matches(@"SocPercent\s*│\s*42\s*│\s*%\s*│\s*good", output);
    }

    [Fact]
    public async Task Lists_sunspec_models_and_writes_a_setpoint_as_json()
    {
        var (code, output, _) = await Probe(Uri("pv-1"), "sunspec-inverter", unit: 1, json: true, sunSpec: true, set: 6);
        Assert.Equal(ExitCodes.Ok, code);
        using var doc = JsonDocument.Parse(output);
        Assert.Equal([1, 103, 120, 123, 302], doc.RootElement.GetProperty("sunSpec").GetProperty("models").EnumerateArray().Select(m => m.GetProperty("id").GetInt32()));
        var setpoint = doc.RootElement.GetProperty("setpoint");
        Assert.True(setpoint.GetProperty("confirmed").GetBoolean());
        Assert.Equal(60, setpoint.GetProperty("writtenValue").GetDouble(), 6);
    }

    [Fact]
    public async Task An_unreachable_port_exits_3()
    {
        // Bound but not listening: connections are refused, and no other test can take the port meanwhile.
        using var closed = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        closed.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)closed.LocalEndPoint!).Port;
        var (code, _, errors) = await Probe($"modbus-tcp://127.0.0.1:{port}", "v2g-charger");
        Assert.Equal(ExitCodes.Unreachable, code);
        Assert.Contains("connection refused", errors);
    }

    [Fact]
    public async Task A_wrong_unit_id_is_reported_as_such()
    {
        var (code, _, errors) = await Probe(Uri("ev-1"), "v2g-charger", unit: 9, timeoutSeconds: 0.5);
        Assert.Contains(code, new[] { ExitCodes.DeviceException, ExitCodes.Timeout });
        Assert.Contains("unit 9", errors);
        Assert.Contains("wrong unit id", errors);
    }

    [Fact]
    public async Task A_silent_device_exits_4()
    {
        _rig.Find("ev-1")!.Faults.Current = new ModbusFault(ModbusFaultKind.NoAnswer);
        var (code, _, errors) = await Probe(Uri("ev-1"), "v2g-charger", timeoutSeconds: 0.3);
        Assert.Equal(ExitCodes.Timeout, code);
        Assert.Contains("did not answer within 0.3 s", errors);
    }

    [Fact]
    public async Task An_exception_code_exits_5_with_its_meaning()
    {
        _rig.Find("ev-1")!.Faults.Current = new ModbusFault(ModbusFaultKind.Exception, ExceptionCode: ModbusExceptionCode.ServerDeviceFailure);
        var (code, _, errors) = await Probe(Uri("ev-1"), "v2g-charger");
        Assert.Equal(ExitCodes.DeviceException, code);
        Assert.Contains("exception 04 (server device failure", errors);
    }

    [Fact]
    public async Task A_malformed_endpoint_exits_2()
    {
        var (code, _, errors) = await Probe("http://127.0.0.1:502", "v2g-charger");
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("http://127.0.0.1:502", errors);
    }

    [Theory]
    [InlineData("--unit", "300")]
    [InlineData("--set", "lots")]
    [InlineData("--timeout", "0")]
    public async Task Bad_arguments_exit_2(string option, string value)
    {
        var root = new RootCommand { ProbeVerb.Create() };
        var code = await root.Parse(["probe", "modbus-tcp://127.0.0.1:1", "--profile", "v2g-charger", option, value]).InvokeAsync();
        Assert.Equal(ExitCodes.BadInput, code);
    }
}
