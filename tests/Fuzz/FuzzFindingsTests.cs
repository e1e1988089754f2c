using System.Text;
using System.Text.Json;
using Gateway.Rigs;
using Gateway.Drivers.Devices;
using Gateway.Drivers.Devices.Mqtt;

namespace Gateway.Fuzz;

/// <summary>
/// What each crash the fuzzers found now does instead: a problem of the parser's documented kind that
/// names what is wrong. The crashing inputs themselves are replayed from regressions/ by <see cref="FuzzRegressionTests"/>.
/// </summary>
public sealed class FuzzFindingsTests
{
    [Fact]
    public void Yaml_the_reader_gives_up_on_is_a_rig_problem_for_the_gateway_and_the_simulators()
    {
        foreach (var name in new[] { "yamldotnet-invalid-operation-plain-scalar", "yamldotnet-argument-unsupported-event" })
        {
            var host = Regression("rig-host", name);
            var rigFile = Assert.Throws<RigFileException>(() => RigLoader.Parse(host, "rig.yaml"));
            Assert.Contains(rigFile.Problems, p => p.Message.Contains("not valid YAML", StringComparison.Ordinal));

            var sims = Regression("rig-sims", name);
            var parse = Assert.Throws<RigFileException>(() => RigLoader.ParseSimulated(sims, "rig.yaml"));
            Assert.Contains(parse.Problems, p => p.Message.Contains("not valid YAML", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void A_bare_dash_in_a_profiles_point_list_is_named_not_a_null_reference()
    {
        var ex = Assert.Throws<ProfileLoadException>(() => ProfileLoader.Parse("name: p\nkind: meter\nmodbus: {}\npoints:\n  -\n", "p.yaml"));
        Assert.Contains(ex.Problems, p => p.ToString().Contains("the entry is empty", StringComparison.Ordinal));
        Assert.Throws<ProfileLoadException>(() => ProfileLoader.Parse(Regression("device-profile", "yamldotnet-invalid-operation-document-start"), "p.yaml"));
    }

    [Fact]
    public void A_telemetry_string_that_is_not_utf8_is_a_wrong_type_for_that_point_only()
    {
        var profile = ProfileLoader.Load("mqtt-charger");
        var plug = profile.Points.Single(p => p.Name == "PlugState");
        // "chargi" + bytes that are not UTF-8 + "ng", as the fuzzer sent it.
        var payload = Encoding.UTF8.GetBytes("{\"plug\": \"chargi").Concat(new byte[] { 0x95, 0xE4, 0x56, 0xD8, 0xBE }).Concat(Encoding.UTF8.GetBytes("ng\"}")).ToArray();
        using var document = JsonDocument.Parse(payload);
        var value = MqttFieldDecoder.Decode(plug, profile.Mqtt!.Locations[plug.Name], document.RootElement.GetProperty("plug"));
        Assert.Equal(MqttFieldKind.WrongType, value.Kind);
        Assert.Contains("not valid UTF-8", value.Problem);
    }

    [Fact]
    public void An_ocpp_string_with_a_lone_surrogate_escape_is_a_format_violation_not_an_invalid_operation()
    {
        Gateway.Drivers.Ocpp.OcppFrameException Refused(string name) => Assert.Throws<Gateway.Drivers.Ocpp.OcppFrameException>(
            () => Gateway.Drivers.Ocpp.OcppFrameCodec.Parse(Encoding.UTF8.GetBytes(Regression("ocpp-frame", name))));
        foreach (var name in new[] { "lone-surrogate-in-the-message-id.json", "lone-surrogate-in-a-payload-string.json" })
            Assert.Contains("without its pair", Refused(name).Message);
        // A property name is read while the frame is parsed: the reader's own words, as for any JSON it cannot read.
        Assert.Contains("the frame is not JSON", Refused("lone-surrogate-in-a-property-name.json").Message);
    }

    private static string Regression(string target, string name) =>
        Encoding.UTF8.GetString(FuzzEngine.LoadFolder("regressions", target).Single(f => f.Name == name).Bytes);
}
