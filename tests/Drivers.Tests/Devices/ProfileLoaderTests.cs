using Gateway.Drivers.Devices;

namespace Gateway.Drivers.Tests.Devices;

public sealed class ProfileLoaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("profiles-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("v2g-charger", "charger")]
    [InlineData("sunspec-inverter", "pv-inverter")]
    [InlineData("sunspec-meter", "meter")]
    [InlineData("smes-converter", "smes")]
    public void Shipped_profiles_load_by_name(string name, string kind)
    {
        var profile = ProfileLoader.Load(name);
        Assert.Equal(name, profile.Name);
        Assert.Equal(kind, profile.Kind);
        Assert.NotNull(profile.FindRole(PointRole.MeasuredPower));
        Assert.All(profile.Points, p => Assert.True(profile.Modbus!.Locations.ContainsKey(p.Name)));
    }

    [Fact]
    public void Every_shipped_profile_is_listed()
    {
        Assert.Equal(["mqtt-charger", "mqtt-meter", "mqtt-pv-inverter", "mqtt-smes-converter", "ocpp-charger", "smes-converter", "sunspec-inverter", "sunspec-inverter-float", "sunspec-meter", "v2g-charger"], ProfileLoader.ShippedProfileNames());
    }

    [Fact]
    public void Charger_profile_has_what_the_market_needs()
    {
        var p = ProfileLoader.Load("v2g-charger");
        foreach (var role in new[] { PointRole.PlugState, PointRole.StateOfCharge, PointRole.Setpoint, PointRole.MinPower, PointRole.MaxPower, PointRole.Watchdog, PointRole.Heartbeat })
            Assert.NotNull(p.FindRole(role));
        Assert.True(p.FindRole(PointRole.Setpoint)!.IsWritable);
        Assert.False(p.FindRole(PointRole.MeasuredPower)!.IsWritable);
    }

    [Fact]
    public void A_profile_loads_by_path()
    {
        var path = Write("mine.yaml", MinimalProfile);
        var profile = ProfileLoader.Load(path);
        Assert.Equal("mine", profile.Name);
        Assert.Equal(path, profile.SourcePath);
    }

    [Fact]
    public void Unknown_profile_name_lists_the_shipped_ones()
    {
        var e = Assert.Throws<ProfileLoadException>(() => ProfileLoader.Load("no-such-charger"));
        Assert.Contains("no-such-charger", e.Message);
        Assert.Contains("v2g-charger", e.Message);
    }

    [Fact]
    public void Every_problem_is_reported_with_file_and_point()
    {
        var path = Write("bad.yaml", """
            name: bad
            kind: toaster
            modbus: {}
            points:
              - name: PowerKw
                role: measured-power
                unit: kW
                limits: { min: 5, max: 1 }
                modbus: { address: 10, type: int16 }
              - name: SetpointKw
                role: setpoint
                unit: kW
                access: r
                modbus: { address: 11, type: int16 }
              - name: SocPercent
                role: state-of-charge
                unit: "%"
                modbus: { type: uint16 }
              - name: Weird
                role: flux-capacitor
                unit: kW
                modbus: { address: 12, type: int24 }
              - name: InputWrite
                role: info
                unit: kW
                access: rw
                modbus: { table: input, address: 13, type: int16 }
              - name: PowerKw
                role: info
                unit: kW
                modbus: { address: 14, type: int16 }
              - name: Sun
                role: info
                unit: kW
                modbus: { model: 103, offset: 14, type: int16 }
            """);
        var e = Assert.Throws<ProfileLoadException>(() => ProfileLoader.Load(path));
        var problems = e.Problems.Select(p => p.ToString()).ToArray();
        Assert.All(e.Problems, p => Assert.Equal(path, p.File));
        Assert.Contains(problems, p => p.Contains("'kind' is 'toaster'"));
        Assert.Contains(problems, p => p.Contains("point 'PowerKw'") && p.Contains("min 5 is above max 1"));
        Assert.Contains(problems, p => p.Contains("point 'SetpointKw'") && p.Contains("must have access rw"));
        Assert.Contains(problems, p => p.Contains("point 'SocPercent'") && p.Contains("needs an 'address'"));
        Assert.Contains(problems, p => p.Contains("point 'Weird'") && p.Contains("'role' is 'flux-capacitor'"));
        Assert.Contains(problems, p => p.Contains("point 'Weird'") && p.Contains("'type' is 'int24'"));
        Assert.Contains(problems, p => p.Contains("point 'InputWrite'") && p.Contains("input register cannot be writable"));
        Assert.Contains(problems, p => p.Contains("point 'PowerKw'") && p.Contains("used by an earlier point"));
        Assert.Contains(problems, p => p.Contains("point 'Sun'") && p.Contains("not 'sunSpec: true'"));
    }

    [Fact]
    public void Yaml_syntax_and_unknown_keys_name_the_line()
    {
        var typo = Write("typo.yaml", MinimalProfile.Replace("unit: kW", "unti: kW"));
        var e = Assert.Throws<ProfileLoadException>(() => ProfileLoader.Load(typo));
        Assert.Contains(typo, e.Message);
        Assert.Contains("line 6", e.Message);
        Assert.Contains("unti", e.Message);

        var broken = Write("broken.yaml", "name: [unclosed\n");
        Assert.Throws<ProfileLoadException>(() => ProfileLoader.Load(broken));
    }

    [Fact]
    public void SunSpec_offsets_beyond_the_declared_model_length_are_rejected()
    {
        var path = Write("ss.yaml", """
            name: ss
            kind: pv-inverter
            modbus:
              sunSpec: true
              sunSpecModels: [ { id: 103, length: 50 } ]
            points:
              - name: Far
                role: info
                modbus: { model: 103, offset: 51, type: int32 }
              - name: Scaled
                role: info
                unit: kW
                modbus: { model: 103, offset: 14, type: int16, scaleFactorRegister: 15 }
              - name: PercentOfNothing
                role: setpoint
                unit: "%"
                access: rw
                percentOf: Missing
                modbus: { model: 103, offset: 20, type: uint16 }
            """);
        var e = Assert.Throws<ProfileLoadException>(() => ProfileLoader.Load(path));
        Assert.Contains(e.Problems, p => p.Point == "Far" && p.Message.Contains("beyond model 103"));
        Assert.Contains(e.Problems, p => p.Point == "Scaled" && p.Message.Contains("'scaleFactorRegister' 15"));
        Assert.Contains(e.Problems, p => p.Point == "PercentOfNothing" && p.Message.Contains("'Missing'"));
    }

    private const string MinimalProfile = """
        name: mine
        kind: charger
        points:
          - name: PowerKw
            role: measured-power
            unit: kW
            modbus: { address: 10, type: int16 }
        modbus: {}
        """;

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }
}
