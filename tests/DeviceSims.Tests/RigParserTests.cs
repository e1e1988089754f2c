using Gateway.DeviceSims.Devices;
using Gateway.Rigs;
using Gateway.Testing;

namespace Gateway.DeviceSims.Tests;

public sealed class RigParserTests
{
    [Fact]
    public void The_demo_rig_parses_and_builds()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "rigs", "demo.yaml");
        var rig = RigLoader.LoadSimulated(path);
        Assert.Equal("demo-feeder", rig.SiteId);
        Assert.Equal(180, rig.TimeScale);
        Assert.Equal(4, rig.Devices.Count(d => d.DeviceKind == DeviceKind.Charger));
        Assert.Equal(2, rig.Devices.Count(d => d.DeviceKind == DeviceKind.PvInverter));
        Assert.Single(rig.Devices, d => d.DeviceKind == DeviceKind.Smes);
        Assert.Single(rig.Devices, d => d.DeviceKind == DeviceKind.Meter);
        var ev1 = rig.Devices.Single(d => d.Id == "ev-1");
        Assert.Equal(new DateTimeOffset(2026, 6, 1, 7, 30, 0, TimeSpan.Zero), ev1.Ev!.Arrival);
        Assert.Equal(5, rig.Devices.Single(d => d.Id == "pv-2").Pv!.Irradiance.Points.Count);
        var sims = new SimulatedRig(rig, TestClocks.New());
        Assert.Equal(8, sims.Devices.Count);
        Assert.IsType<SimulatedMeter>(sims.Devices[^1]);
    }

    [Fact]
    public void Gateway_sections_are_ignored()
    {
        var rig = RigLoader.ParseSimulated(TestRig.Yaml + """

            feeder: { nodes: [n0, n1] }
            ledger: { backend: embedded }
            operator: { port: 8080 }
            """, "r.yaml");
        Assert.Equal(5, rig.Devices.Count);
    }

    [Fact]
    public void A_rig_read_for_the_simulators_has_no_gateway_sections_and_says_so()
    {
        var rig = RigLoader.ParseSimulated(TestRig.Yaml, "sims-only.yaml");
        Assert.Contains("has no market section", Assert.Throws<InvalidOperationException>(() => rig.Market).Message);
        Assert.Contains("has no ledger section", Assert.Throws<InvalidOperationException>(() => rig.Ledger).Message);
        Assert.Contains("has no operator section", Assert.Throws<InvalidOperationException>(() => rig.Operator).Message);
        Assert.Contains("sims-only.yaml", Assert.Throws<InvalidOperationException>(() => rig.Market).Message);
    }

    [Fact]
    public void Every_problem_names_file_line_device_and_field()
    {
        var yaml = """
            site: s
            start: yesterday
            timeScale: -1
            devices:
              - id: ev-1
                kind: charger
                endpoint: 10.0.0.7:502
                profile: v2g-charger
                colour: red
                sim:
                  batteryKwh: 50
                  socAtArrivalPercent: 150
                  arrival: "11:00"
                  departure: "10:00"
                  maxChargeKw: 7.4
                  maxDischargeKw: 7.4
              - id: ev-1
                kind: toaster
                endpoint: 127.0.0.1:1502
                profile: v2g-charger
                sim: {}
              - id: m
                kind: meter
                endpoint: 127.0.0.1:1503
                profile: sunspec-meter
                sim: { sums: [ghost] }
            """;
        var e = Assert.Throws<RigFileException>(() => RigLoader.ParseSimulated(yaml, "bad-rig.yaml"));
        var all = e.Problems.Select(p => p.ToString()).ToList();
        Assert.All(all, p => Assert.StartsWith("bad-rig.yaml:", p));
        Assert.Contains(all, p => p.StartsWith("bad-rig.yaml:2: start: 'yesterday' is not an ISO 8601 date-time"));
        Assert.Contains(all, p => p.StartsWith("bad-rig.yaml:3: timeScale: -1 is out of range"));
        Assert.Contains(all, p => p.StartsWith("bad-rig.yaml:7: devices[0].endpoint: '10.0.0.7:502'") && p.Contains("loopback"));
        Assert.Contains(all, p => p.StartsWith("bad-rig.yaml:9: devices[0].colour: unknown key"));
        Assert.Contains(all, p => p.Contains("devices[0].sim.socAtArrivalPercent: 150 is out of range [0, 100]"));
        Assert.Contains(all, p => p.Contains("devices[0].sim: 'departure' must be after 'arrival'"));
        Assert.Contains(all, p => p.Contains("devices[1].kind: 'toaster' is not one of"));
        Assert.Contains(all, p => p.Contains("devices[2].sim.sums: names 'ghost'"));
    }

    [Fact]
    public void Yaml_syntax_errors_name_the_line()
    {
        var e = Assert.Throws<RigFileException>(() => RigLoader.ParseSimulated("site: s\ndevices: [ { id: a\n", "broken.yaml"));
        Assert.Matches(@"^broken\.yaml:[1-9][0-9]*: ", Assert.Single(e.Problems).ToString());
    }

    [Fact]
    public void A_profile_of_the_wrong_kind_is_refused_when_the_rig_is_built()
    {
        var yaml = TestRig.Yaml.Replace("profile: sunspec-inverter", "profile: sunspec-meter");
        var e = Assert.Throws<RigFileException>(() => new SimulatedRig(RigLoader.ParseSimulated(yaml, "r.yaml"), TestClocks.New()));
        Assert.Contains("device 'pv-1'", e.Message);
        Assert.Contains("for a meter", e.Message);
    }

    [Fact]
    public void A_missing_rig_file_is_reported_plainly()
    {
        var e = Assert.Throws<RigFileException>(() => RigLoader.LoadSimulated("/nonexistent/rig.yaml"));
        Assert.Contains("cannot read the rig file", e.Message);
    }

    [Fact]
    public void Mqtt_devices_need_a_broker_endpoint_and_a_topic_map_and_Modbus_devices_a_register_map()
    {
        const string Yaml = """
            site: s
            start: 2026-06-01T12:00:00Z
            devices:
              - { id: a, kind: meter, protocol: mqtt, endpoint: "127.0.0.1:1883", profile: mqtt-meter, sim: { } }
              - { id: b, kind: meter, protocol: mqtt, endpoint: "mqtt://127.0.0.1:99999", profile: mqtt-meter, sim: { } }
            """;
        var e = Assert.Throws<RigFileException>(() => RigLoader.ParseSimulated(Yaml, "m.yaml"));
        Assert.Contains(e.Problems, p => p.Path == "devices[0].endpoint" && p.Message.Contains("write mqtt://HOST:PORT"));
        Assert.Contains(e.Problems, p => p.Path == "devices[1].endpoint" && p.Message.Contains("not 1–65535"));

        var wrongProfiles = RigLoader.ParseSimulated("""
            site: s
            start: 2026-06-01T12:00:00Z
            devices:
              - { id: a, kind: meter, protocol: mqtt, endpoint: "mqtt://127.0.0.1:1883", profile: sunspec-meter, sim: { } }
              - { id: b, kind: meter, protocol: modbus-tcp, endpoint: "127.0.0.1:0", profile: mqtt-meter, sim: { } }
            """, "p.yaml");
        e = Assert.Throws<RigFileException>(() => new SimulatedRig(wrongProfiles, TestClocks.New()));
        Assert.Contains(e.Problems, p => p.ToString().Contains("device 'a'") && p.Message.Contains("profile 'sunspec-meter' has no 'mqtt' part"));
        Assert.Contains(e.Problems, p => p.ToString().Contains("device 'b'") && p.Message.Contains("profile 'mqtt-meter' has no 'modbus' part"));
    }

    [Fact]
    public void What_the_gateway_refused_the_simulators_refuse_too()
    {
        // The simulators' parser used to accept these (a kind in any case or without its hyphen, a unit id 0 or up to 255, any
        // readOnly text), the gateway's refused them: the one loader refuses them for both.
        const string Yaml = """
            site: s
            start: 2026-06-01T12:00:00Z
            devices:
              - { id: a, kind: PvInverter, endpoint: "127.0.0.1:0", profile: sunspec-inverter, sim: { ratedKwp: 5, irradiance: { clearSky: { } } } }
              - { id: b, kind: meter, endpoint: "127.0.0.1:0", unitId: 0, profile: sunspec-meter, sim: { } }
              - { id: c, kind: meter, endpoint: "127.0.0.1:0", unitId: 250, profile: sunspec-meter, sim: { } }
              - { id: d, kind: meter, endpoint: "127.0.0.1:0", unitId: 7, readOnly: sometimes, profile: sunspec-meter, sim: { } }
            """;
        var e = Assert.Throws<RigFileException>(() => RigLoader.ParseSimulated(Yaml, "disagree.yaml"));
        var all = e.Problems.Select(p => p.ToString()).ToList();
        Assert.Contains(all, p => p.Contains("devices[0].kind: 'PvInverter' is not one of: charger, pv-inverter, meter, smes"));
        Assert.Contains(all, p => p.Contains("devices[1].unitId: 0 is out of range [1, 247]"));
        Assert.Contains(all, p => p.Contains("devices[2].unitId: 250 is out of range [1, 247]"));
        Assert.Contains(all, p => p.Contains("devices[3].readOnly: must be true or false"));

        // The simulators read a unit id as any number and cut 1.5 to 1; the gateway wants a whole number, and now both do.
        e = Assert.Throws<RigFileException>(() => RigLoader.ParseSimulated(Yaml.Replace("unitId: 7", "unitId: 1.5", StringComparison.Ordinal), "disagree.yaml"));
        Assert.Contains(e.Problems, p => p.Path == "devices[3].unitId" && p.Message == "must be a whole number");
    }

    [Fact]
    public void A_device_reads_the_same_for_the_gateway_and_the_simulators()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "rigs", "demo.yaml");
        var simulated = RigLoader.LoadSimulated(path);
        var gateway = RigLoader.Load(path);
        Assert.Equal(simulated.Devices.Select(d => (d.Id, d.DeviceKind, d.Protocol, d.Endpoint, d.UnitId, d.PollPeriod, d.ParticipantId, d.NodeId)),
            gateway.Devices.Select(d => (d.Id, d.DeviceKind, d.Protocol, d.Endpoint, d.UnitId, d.PollPeriod, d.ParticipantId, d.NodeId)));
        foreach (var (s, g) in simulated.Devices.Zip(gateway.Devices))
        {
            Assert.Equal((s.Ev, s.Smes, s.Pv?.RatedKwp, s.Pv?.Irradiance.Points.Count, s.Meter?.BaseLoadKw), (g.Ev, g.Smes, g.Pv?.RatedKwp, g.Pv?.Irradiance.Points.Count, g.Meter?.BaseLoadKw));
            Assert.Equal(s.Meter?.Sums ?? [], g.Meter?.Sums ?? []);
        }
    }
}
