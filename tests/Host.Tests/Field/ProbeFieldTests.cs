using System.Text.Json;
using Gateway.Drivers.Modbus;
using Gateway.Host.Cli;
using Gateway.Testing;

namespace Gateway.Host.Tests.Field;

/// <summary>
/// The probe as a field engineer uses it on an unknown device: --sunspec picks the profile from the models found (on the
/// simulators and on independent pymodbus inverters with models 101 and 113), a wrong profile is warned about and exits 1,
/// --set takes kW or % of the rating, --rating stands in for a nameplate the device does not report, and a probe without
/// --set never writes.
/// </summary>
[Trait(PeerTraits.Name, PeerTraits.Pymodbus)]
public sealed class ProbeFieldTests : IAsyncLifetime
{
    private FieldBench _bench = null!;

    public async Task InitializeAsync() => _bench = await FieldBench.StartAsync(new FakeTimeProvider(new DateTimeOffset(2026, 6, 1, 11, 0, 0, TimeSpan.Zero)));

    public async Task DisposeAsync() => await _bench.DisposeAsync();

    private static async Task<(int Code, string Out, string Err)> Probe(ProbeRequest request, Func<ProbeRequest, IModbusClient>? connect = null)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await ProbeRunner.RunAsync(request, connect ?? ProbeConnection.Open, stdout, stderr, TimeProvider.System);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private ProbeRequest Request(byte unit, string? profile, bool sunSpec = false, bool json = false, double? setKw = null, double? setPercent = null, double? rating = null) =>
        new(_bench.Endpoint, unit, profile, json, sunSpec, setKw, TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(5), null, setPercent, rating);

    [Fact]
    public async Task With_sunspec_and_no_profile_the_models_pick_the_profile()
    {
        var (code, output, errors) = await Probe(Request(7, null, sunSpec: true));
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Equal("", errors);
        Assert.Contains("profile sunspec-inverter (from SunSpec models 1, 103, 120, 123, 302)", output);
        Assert.Matches(@"RatedPowerKw\s*│\s*10\s*│\s*kW\s*│\s*good", output);

        (code, output, _) = await Probe(Request(1, null, sunSpec: true, json: true));
        Assert.Equal(ExitCodes.Ok, code);
        using var json = JsonDocument.Parse(output);
        Assert.Equal("sunspec-meter", json.RootElement.GetProperty("profile").GetString());
        Assert.Equal("from SunSpec models 1, 203", json.RootElement.GetProperty("profileChosenBecause").GetString());
    }

    [Fact]
    public async Task A_device_that_is_not_sunspec_needs_a_profile()
    {
        var (code, _, errors) = await Probe(Request(3, null, sunSpec: true));
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("unit 3 is not SunSpec", errors);
    }

    [Fact]
    public async Task A_wrong_profile_is_warned_about_and_exits_1()
    {
        var (code, output, errors) = await Probe(Request(7, "sunspec-meter", sunSpec: true, json: true));
        Assert.Equal(ExitCodes.Failed, code);
        Assert.Contains("probe: warning: profile sunspec-meter reads SunSpec models 201, 202, 203, 204, and the device has none of them (1, 103, 120, 123, 302): its models fit --profile sunspec-inverter", errors);
        Assert.Contains("every point of profile sunspec-meter the gateway uses reads absent", errors);
        using var json = JsonDocument.Parse(output);
        Assert.Equal(2, json.RootElement.GetProperty("warnings").GetArrayLength());
        Assert.Equal(ExitCodes.Failed, json.RootElement.GetProperty("exitCode").GetInt32());

        // A Modbus map that is not there at all: every point absent, with the hint to look at the models.
        (code, _, errors) = await Probe(Request(7, "v2g-charger"));
        Assert.Equal(ExitCodes.Failed, code);
        Assert.Contains("every point of profile v2g-charger the gateway uses reads absent", errors);
        Assert.Contains("try --sunspec to see its models", errors);
    }

    [Fact]
    public async Task Set_takes_kw_or_percent_of_the_devices_rating()
    {
        var (code, output, errors) = await Probe(Request(3, "v2g-charger", setPercent: 50));
        Assert.True(code == ExitCodes.Ok, errors);
        Assert.Contains("setpoint: asked 3.7 kW, wrote 3.7 kW", output);     // 50 % of MaxPowerKw 7.4
        (code, output, _) = await Probe(Request(3, "v2g-charger", setPercent: -25));
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("setpoint: asked -1.85 kW, wrote -1.85 kW", output);  // 25 % of what it may draw, 7.4 kW
        Assert.Equal(-1.85, _bench.Device("pile-3").Image.Get("SetpointKw")!.Value, 3);
        (code, output, _) = await Probe(Request(7, "sunspec-inverter", setPercent: 40));
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("wrote 40 % (= 4 kW)", output);
        (code, output, _) = await Probe(Request(3, "v2g-charger", setPercent: 10, rating: 11));
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("asked 1.1 kW", output);
    }

    [Theory]
    [InlineData("2", 2.0, false)]
    [InlineData("2kW", 2.0, false)]
    [InlineData("-3.5 kw", -3.5, false)]
    [InlineData("50%", 50.0, true)]
    [InlineData(" -20 % ", -20.0, true)]
    public void Setpoints_parse_as_typed(string text, double value, bool percent)
    {
        Assert.True(ProbeSetpoint.TryParse(text, out var setpoint));
        Assert.Equal((value, percent), (setpoint.Value, setpoint.IsPercent));
    }

    [Theory]
    [InlineData("lots")]
    [InlineData("150%")]
    [InlineData("NaN")]
    [InlineData("2 MW")]
    public void Nonsense_setpoints_do_not_parse(string text) => Assert.False(ProbeSetpoint.TryParse(text, out _));

    [Fact]
    public async Task A_probe_without_set_never_writes()
    {
        var image = ReadOnlyImage();
        var client = InMemoryModbusClient.For(3, image);
        var (code, _, errors) = await Probe(Request(3, "v2g-charger", sunSpec: true), _ => client);
        Assert.True(code is ExitCodes.Ok, errors);
        Assert.NotEmpty(client.Requests);
        Assert.All(client.Requests, r => Assert.Contains(r.Function, new byte[] { 3, 4 }));
    }

    private static Gateway.Drivers.Devices.RegisterImage ReadOnlyImage()
    {
        var image = new Gateway.Drivers.Devices.RegisterImage(Gateway.Drivers.Devices.ProfileLoader.Load("v2g-charger"));
        image.Set("PlugState", 2);
        image.Set("SocPercent", 50);
        image.Set("MaxPowerKw", 5);
        image.Set("MinPowerKw", -5);
        return image;
    }

    [Theory]
    [InlineData("inv101", "sunspec-inverter", "1, 101, 120, 123")]
    [InlineData("inv113", "sunspec-inverter-float", "1, 113, 120, 123")]
    public async Task Independent_inverters_get_the_profile_their_models_fit(string kind, string profile, string models)
    {
        await using var peer = await PythonPeer.StartAsync("pymodbus_sunspec.py", "tcp", $"1:{kind}");
        var request = new ProbeRequest($"modbus-tcp://127.0.0.1:{peer.Ready}", 1, null, false, true, null, TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(5));
        var (code, output, errors) = await Probe(request);
        Assert.True(code == ExitCodes.Ok, errors);
        Assert.Contains($"profile {profile} (from SunSpec models {models})", output);
        Assert.Matches(@"PowerKw\s*│\s*4\.321\s*│\s*kW\s*│\s*good", output);
    }

    [Fact]
    public async Task An_inverter_without_a_nameplate_asks_for_rating_and_takes_the_setpoint_with_it()
    {
        await using var peer = await PythonPeer.StartAsync("pymodbus_sunspec.py", "tcp", "1:inv103-noplate");
        var endpoint = $"modbus-tcp://127.0.0.1:{peer.Ready}";
        ProbeRequest Set(double? kw, double? percent, double? rating) =>
            new(endpoint, 1, "sunspec-inverter", false, false, kw, TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(5), null, percent, rating);

        var (code, _, errors) = await Probe(Set(2, null, null));
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("its setpoint PowerLimitPercent is in % of RatedPowerKw, which the device does not report: give --rating KW from its nameplate", errors);
        (code, _, errors) = await Probe(Set(null, 50, null));
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("--rating", errors);

        (code, var output, errors) = await Probe(Set(2, null, 8));
        Assert.True(code == ExitCodes.Ok, errors);
        Assert.Contains("wrote 25 % (= 2 kW)", output);
        (code, output, _) = await Probe(Set(null, 50, 8));
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("wrote 50 % (= 4 kW)", output);
    }
}
