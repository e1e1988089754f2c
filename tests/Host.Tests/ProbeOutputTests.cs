using System.Text.Json;
using Gateway.DeviceSims.Devices;
using Gateway.Rigs;
using Gateway.Host.Cli;
using Gateway.Testing;

namespace Gateway.Host.Tests;

/// <summary>The probe's output and exit codes against simulated devices reached in memory.</summary>
public sealed class ProbeOutputTests
{
    private const string Rig = """
        site: probe-test
        start: 2026-06-01T12:00:00Z
        timeScale: 1
        devices:
          - { id: ev-1, kind: charger, endpoint: "127.0.0.1:0", unitId: 1, profile: v2g-charger,
              sim: { batteryKwh: 50, socAtArrivalPercent: 42, arrival: "11:00", departure: "18:00", maxChargeKw: 7.4, maxDischargeKw: 5 } }
          - { id: pv-1, kind: pv-inverter, endpoint: "127.0.0.1:0", unitId: 1, profile: sunspec-inverter,
              sim: { ratedKwp: 10, irradiance: { clearSky: { peakWPerM2: 1000, sunrise: "06:00", sunset: "18:00" } } } }
        """;

    private readonly FakeTimeProvider _real = TestClocks.New();
    private readonly SimulatedRig _rig;

    public ProbeOutputTests() => _rig = new SimulatedRig(RigLoader.ParseSimulated(Rig, "probe-test.yaml"), _real);

    private async Task<(int Code, string Out, string Err)> Probe(string device, string profile, bool json = false, bool sunSpec = false, double? set = null, byte unit = 1)
    {
        var d = _rig.Find(device)!;
        var request = new ProbeRequest($"modbus-tcp://127.0.0.1:1502", unit, profile, json, sunSpec, set, TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(1));
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await ProbeRunner.RunAsync(request, _ => InMemoryModbusClient.For(d.Definition.UnitId, _rig.UnitOf(d)), stdout, stderr, _real);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Charger_measurements_print_as_a_table()
    {
        var (code, output, errors) = await Probe("ev-1", "v2g-charger");
        Assert.Equal(0, code);
        Assert.Equal("", errors);
        Assert.Contains("profile v2g-charger", output);
        Assert.Matches(@"SocPercent\s*│\s*42\s*│\s*%\s*│\s*good\s*│\s*state-of-charge", output);
        Assert.Matches(@"PlugState\s*│\s*2 \(connected\)", output);
        Assert.Matches(@"PowerKw\s*│\s*0\s*│\s*kW\s*│\s*good\s*│\s*measured-power", output);
    }

    [Fact]
    public async Task Json_output_carries_values_units_and_quality()
    {
        var (code, output, _) = await Probe("ev-1", "v2g-charger", json: true);
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(output);
        var soc = doc.RootElement.GetProperty("measurements").EnumerateArray().Single(m => m.GetProperty("point").GetString() == "SocPercent");
        Assert.Equal(42, soc.GetProperty("value").GetDouble());
        Assert.Equal("%", soc.GetProperty("unit").GetString());
        Assert.Equal("good", soc.GetProperty("quality").GetString());
        Assert.Equal("state-of-charge", soc.GetProperty("role").GetString());
        Assert.Equal(0, doc.RootElement.GetProperty("exitCode").GetInt32());
    }

    [Fact]
    public async Task SunSpec_models_are_listed()
    {
        var (code, output, _) = await Probe("pv-1", "sunspec-inverter", sunSpec: true);
        Assert.Equal(0, code);
        Assert.Contains("SunSpec models (base 40000)", output);
        Assert.Matches(@"123\s*│\s*immediate controls\s*│\s*40150\s*│\s*24", output);
        Assert.Matches(@"Manufacturer\s*│\s*Gateway Sims", output);
    }

    [Fact]
    public async Task Set_writes_reads_back_and_reports_the_clamp()
    {
        var (code, output, _) = await Probe("ev-1", "v2g-charger", set: 9);
        Assert.Equal(0, code);
        Assert.Contains("setpoint: asked 9 kW, wrote 5 kW (clamped by device limit MaxPowerKw), valid for 60 s, read back 5 kW: confirmed", output);
        Assert.Equal(5, _rig.Find("ev-1")!.Image.Get("SetpointKw"));

        var (pvCode, pvOutput, _) = await Probe("pv-1", "sunspec-inverter", set: 2.5);
        Assert.Equal(0, pvCode);
        Assert.Contains("wrote 25 % (= 2.5 kW)", pvOutput);
    }

    [Fact]
    public async Task A_gateway_exception_for_a_wrong_unit_is_explained_and_exits_5()
    {
        var (code, output, errors) = await Probe("ev-1", "v2g-charger", unit: 9);
        Assert.Equal(ExitCodes.DeviceException, code);
        Assert.Contains("unit 9", errors);
        Assert.Contains("wrong unit id", errors);
        Assert.DoesNotContain("measurements", output);
    }

    [Fact]
    public async Task Profile_problems_exit_2()
    {
        var (code, _, errors) = await Probe("ev-1", "no-such-profile");
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("no-such-profile", errors);
        Assert.Contains("v2g-charger", errors);

        var (wrong, _, why) = await Probe("ev-1", "sunspec-inverter");
        Assert.Equal(ExitCodes.BadInput, wrong);
        Assert.Contains("not SunSpec", why);
    }
}
