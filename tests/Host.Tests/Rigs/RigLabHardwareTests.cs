using Gateway.Drivers.Devices;
using Gateway.Drivers.Lab;
using Gateway.Runtime.Devices;
using Gateway.Rigs;
using Gateway.Host.Tests.Worker;
using Gateway.Testing;

namespace Gateway.Host.Tests.Rigs;

/// <summary>The rig's safety section and INA219 meters: read, checked, and an INA219 opened through the connector.</summary>
public sealed class RigLabHardwareTests
{
    private static string RepoFile(params string[] parts) => Repository.PathOf(parts);

    private const string Meter = """
          - { id: dc-meter, kind: meter, node: n2, protocol: i2c, endpoint: "i2c-1@0x40", pollSeconds: 1, ina219: { shuntOhms: 0.1, maxCurrentA: 3.2 } }
        """;

    private static string WithDevices(string extraDevices, string tail) =>
        EndToEndRig.Yaml.Replace("feeder:", extraDevices.TrimEnd() + "\nfeeder:") + "\n" + tail;

    // Built directly: a rig with sim: blocks and an i2c device is one the simulators refuse (they cannot simulate an INA219).
    private static readonly RigDevice DcMeter = new()
    {
        Id = "dc-meter", DeviceKind = DeviceKind.Meter, ParticipantId = "dc-meter", NodeId = "n2", Protocol = "i2c", Endpoint = "i2c-1@0x40",
        Profile = "ina219", PollPeriod = TimeSpan.FromSeconds(1),
        Ina219 = new RigIna219(1, 0x40, 0.1, 3.2, 1, 32),
    };

    private static RigFileException Refused(string yaml) => Assert.Throws<RigFileException>(() => RigLoader.Parse(yaml, "lab.yaml"));

    [Fact]
    public void The_dc_bench_rig_loads_with_its_meters_and_safety_hardware()
    {
        var rig = RigLoader.Load(RepoFile("hil-rigs", "dc-bench"));
        Assert.Equal(new RigSafety(0, new RigEmergencyStop(17, false, TimeSpan.FromMilliseconds(10)), new RigContactor(27, true)), rig.Safety);
        var meters = rig.Devices.Where(d => d.Protocol == "i2c").ToList();
        Assert.Equal([0x40, 0x41, 0x44], meters.Select(m => m.Ina219!.Address));
        Assert.All(meters, m => Assert.Equal("meter", m.Kind));
        Assert.Equal(-1, meters.Single(m => m.Id == "meter-pv").Ina219!.ExportSign);
    }

    [Fact]
    public void A_rig_without_a_safety_section_has_none()
    {
        Assert.Null(RigLoader.Parse(EndToEndRig.Yaml, "lab.yaml").Safety);
    }

    [Fact]
    public void A_safety_section_without_its_estop_is_refused()
    {
        var e = Refused(EndToEndRig.Yaml + "\nsafety:\n  contactor: { pin: 27 }\n");
        Assert.Contains(e.Problems, p => p.Path == "safety.estop" && p.Message.Contains("is missing"));
    }

    [Fact]
    public void The_contactor_on_the_estop_pin_is_refused()
    {
        var e = Refused(EndToEndRig.Yaml + "\nsafety:\n  estop: { pin: 17 }\n  contactor: { pin: 17 }\n");
        Assert.Contains(e.Problems, p => p.Path == "safety.contactor.pin" && p.Message.Contains("already the e-stop input"));
    }

    [Fact]
    public void An_estop_on_the_i2c_pins_a_meter_needs_is_refused()
    {
        var e = Refused(WithDevices(Meter, "safety:\n  estop: { pin: 2 }\n  contactor: { pin: 3 }\n"));
        Assert.Contains(e.Problems, p => p.Path == "safety.estop.pin" && p.Message.Contains("SDA of I²C bus 1"));
        Assert.Contains(e.Problems, p => p.Path == "safety.contactor.pin" && p.Message.Contains("SCL of I²C bus 1"));
    }

    [Theory]
    [InlineData("debounceMs: 80", "safety.estop.debounceMs")]
    [InlineData("closedLevel: middle", "safety.estop.closedLevel")]
    [InlineData("pni: 17", "safety.estop")]
    [InlineData("pin: 99", "safety.estop.pin")]
    public void Bad_estop_settings_are_named(string setting, string path)
    {
        var e = Refused(EndToEndRig.Yaml + "\nsafety:\n  estop: { " + (setting.StartsWith("pin", StringComparison.Ordinal) ? setting : "pin: 17, " + setting) + " }\n");
        Assert.Contains(e.Problems, p => p.Path.StartsWith(path, StringComparison.Ordinal));
    }

    [Fact]
    public void Two_meters_at_one_address_are_refused()
    {
        var e = Refused(WithDevices(Meter.TrimEnd() + "\n" + Meter.Replace("dc-meter", "dc-meter-2"), ""));
        Assert.Contains(e.Problems, p => p.Message.Contains("both at I²C bus 1 address 0x40"));
    }

    [Theory]
    [InlineData("endpoint: \"i2c-1@0x40\"", "endpoint: \"/dev/ttyUSB0\"", ".endpoint", "not an I²C address")]
    [InlineData("endpoint: \"i2c-1@0x40\"", "endpoint: \"i2c-1@0x70\"", ".endpoint", "0x40–0x4F")]
    [InlineData(", ina219: { shuntOhms: 0.1, maxCurrentA: 3.2 }", "", ".ina219", "is missing")]
    [InlineData("maxCurrentA: 3.2", "maxCurrentA: 5", ".ina219", "±320 mV")]
    [InlineData("kind: meter", "kind: charger", ".kind", "kind must be meter")]
    [InlineData("shuntOhms: 0.1", "shuntOhms: 0.1, positiveCurrent: sideways", ".ina219.positiveCurrent", "")]
    public void Bad_ina219_meters_are_named(string from, string to, string pathEnd, string words)
    {
        var e = Refused(WithDevices(Meter.Replace(from, to), ""));
        Assert.Contains(e.Problems, p => p.Path.EndsWith(pathEnd, StringComparison.Ordinal) && p.Message.Contains(words));
    }

    [Fact]
    public async Task The_connector_opens_an_ina219_meter_that_reads_delivered_power_positive()
    {
        var device = DcMeter;
        var chip = new FakeIna219Device(0.1) { BusVoltageV = 12, ShuntCurrentA = -0.5 };
        var clock = TestClocks.New();
        await using var connector = new DeviceConnector(clock) { I2cDevices = d => d.Id == "dc-meter" ? chip : throw new InvalidOperationException() };
        await using var link = connector.Open(device);
        Assert.True(link.Driver.ReadOnly);
        var reading = await link.UseDriverAsync((d, ct) => d.ReadAsync(ct));
        Assert.True(reading.TryGetGood(PointRole.MeasuredPower, out var kw));
        Assert.Equal(-0.006, kw, 4);
    }

    [Fact]
    public async Task A_missing_i2c_bus_makes_the_meter_unreachable_not_the_gateway_fail()
    {
        await using var connector = new DeviceConnector(TestClocks.New()) { I2cDevices = _ => throw new IOException("/dev/i2c-1: No such file or directory") };
        await using var link = connector.Open(DcMeter);
        var e = await Assert.ThrowsAsync<DeviceException>(() => link.UseDriverAsync((d, ct) => d.ReadAsync(ct)));
        Assert.Equal(DeviceErrorKind.Unreachable, e.Kind);
        Assert.Contains("/dev/i2c-1", e.Message);
    }
}
