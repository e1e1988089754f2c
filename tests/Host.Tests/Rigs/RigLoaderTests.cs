using Gateway.Rigs;
using Gateway.Testing.Rigs;

namespace Gateway.Host.Tests.Rigs;

public sealed class RigLoaderTests
{
    private static string RepoFile(params string[] parts) => Repository.PathOf(parts);

    /// <summary>Every rig folder under hil-rigs/, so a rig added later is checked without editing this list.</summary>
    public static TheoryData<string> ShippedRigs()
    {
        var rigs = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(RepoFile("hil-rigs"), "rig.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            // Rigs for the Fabric lab network name its crypto material through ${FABRIC_LAB}: FabricRigFilesTests load them
            // with a laid-out lab folder (the variable is process-wide, so they run alone).
            if (File.ReadAllText(file).Contains("${FABRIC_LAB}", StringComparison.Ordinal)) continue;
            rigs.Add(Path.GetRelativePath(RepoFile("hil-rigs"), Path.GetDirectoryName(file)!));
        }
        return rigs;
    }

    [Theory]
    [MemberData(nameof(ShippedRigs))]
    public void Shipped_rigs_load(string rig)
    {
        if (!File.ReadLines(RepoFile("hil-rigs", rig, "rig.yaml")).Any(l => l.StartsWith("feeder:", StringComparison.Ordinal)))
        {
            // A simulators-only bench (hil-rigs/commissioning): devices to commission, no site to trade on.
            Assert.NotEmpty(Gateway.Rigs.RigLoader.LoadSimulated(RepoFile("hil-rigs", rig, "rig.yaml")).Devices);
            return;
        }

        var definition = RigLoader.Load(RepoFile("hil-rigs", rig));
        Assert.NotEmpty(definition.Devices);
        Assert.NotEmpty(definition.Feeder.Lines);
        Assert.All(definition.Devices, d => Assert.Contains(definition.Feeder.Nodes, n => n.Id == d.NodeId));
    }

    [Fact]
    public void The_mqtt_demo_rig_puts_a_charger_and_the_smes_behind_a_broker()
    {
        var rig = RigLoader.Load(RepoFile("hil-rigs", "mqtt-demo"));
        var mqtt = rig.Devices.Where(d => d.Protocol == "mqtt").ToList();
        Assert.Equal(["ev-2", "smes-1"], mqtt.Select(d => d.Id).Order());
        Assert.All(mqtt, d => Assert.StartsWith("mqtt://127.0.0.1:", d.Endpoint));
        Assert.Contains(rig.Devices, d => d.Protocol == "modbus-tcp");
    }

    [Fact]
    public void The_rtu_demo_rig_puts_two_chargers_on_one_serial_line()
    {
        var rig = RigLoader.Load(RepoFile("hil-rigs", "rtu-demo"));
        var rtu = rig.Devices.Where(d => d.Protocol == "modbus-rtu").ToList();
        Assert.Equal(["ev-3", "ev-4"], rtu.Select(d => d.Id).Order());
        Assert.Single(rtu.Select(d => d.Endpoint).Distinct());
        Assert.Equal([3, 4], rtu.Select(d => (int)d.UnitId).Order());
    }

    [Fact]
    public void The_paper_rig_has_the_papers_size()
    {
        var rig = RigLoader.Load(RepoFile("hil-rigs", "li2021"));
        Assert.Equal(15, rig.Devices.Count(d => d.Kind == "charger"));
        Assert.Equal(5, rig.Devices.Count(d => d.Kind == "pv-inverter"));
        Assert.Equal(1, rig.Devices.Count(d => d.Kind == "smes"));
        Assert.Equal(TimeSpan.FromHours(1), rig.Market.Interval);
        Assert.Equal(24, rig.Market.Rounds);
    }

    [Fact]
    public void A_wrong_rig_is_refused_with_every_problem_named_by_path_and_line()
    {
        const string yaml = """
            site: broken
            devices:
              - { id: ev-1, kind: charger, node: n9, protocol: modbus-tcp, endpoint: "nohostport", unitId: 300, profile: v2g-charger }
              - { id: ev-1, kind: toaster, node: n1, protocol: modbus-tcp, endpoint: "127.0.0.1:502", profile: no-such-profile }
            feeder:
              root: n0
              nodes: [ { id: n0 }, { id: n1 } ]
              lines:
                - { id: L1, from: n0, to: n1, limitKw: -5 }
            market:
              intervalMinutes: 15
              gridPrices: [ { from: "07:00", pricePerKwh: 0.5 } ]
              feedInPricePerKwh: 0.3
              colour: blue
            """;
        var e = Assert.Throws<RigFileException>(() => RigLoader.Parse(yaml, "broken.yaml"));
        var text = e.Message;
        Assert.Contains("devices[0].node: 'n9' is not a node of the feeder", text);
        Assert.Contains("devices[0].endpoint: 'nohostport' is not host:port", text);
        Assert.Contains("devices[0].unitId: 300 is out of range", text);
        Assert.Contains("devices[1].id: device 'ev-1' is defined twice", text);
        Assert.Contains("devices[1].kind: 'toaster' is not one of", text);
        Assert.Contains("devices[1].profile: profile 'no-such-profile' cannot be used", text);
        Assert.Contains("feeder.lines[0].limitKw: -5 kW is out of range", text);
        Assert.Contains("market.gridPrices[0].from: the first band must start at 00:00", text);
        Assert.Contains("market.colour: unknown key", text);
        Assert.All(e.Problems, p => Assert.True(p.Line > 0, $"{p} has no line"));
        Assert.True(e.Problems.Count >= 9);
    }

    [Fact]
    public void A_feeder_that_is_not_radial_is_refused()
    {
        const string yaml = $$"""
            site: loop
            devices: []
            feeder:
              root: n0
              nodes: [ { id: n0 }, { id: n1 }, { id: n2 } ]
              lines:
                - { id: A, from: n1, to: n2, limitKw: 5 }
                - { id: B, from: n2, to: n1, limitKw: 5 }
            {{RigYaml.FlatMarket}}
            """;
        var e = Assert.Throws<RigFileException>(() => RigLoader.Parse(yaml, "loop.yaml"));
        Assert.Contains("is not connected to the root 'n0' (or sits on a loop)", e.Message);
    }

    [Fact]
    public void Time_of_use_bands_pick_the_price_in_force()
    {
        var rig = RigLoader.Load(RepoFile("hil-rigs", "demo"));
        Assert.Equal(0.3578, rig.Market.GridPriceAt(new TimeOnly(3, 0)));
        Assert.Equal(1.0105, rig.Market.GridPriceAt(new TimeOnly(10, 0)));
        Assert.Equal(0.6211, rig.Market.GridPriceAt(new TimeOnly(14, 59).AddMinutes(1)));
    }

    [Fact]
    public void Mqtt_devices_need_a_broker_address_and_a_profile_with_a_topic_map()
    {
        const string yaml = $$"""
            site: mqtt
            devices:
              - { id: ev-1, kind: charger, node: n1, protocol: mqtt, endpoint: "127.0.0.1:1883", profile: mqtt-charger }
              - { id: ev-2, kind: charger, node: n1, protocol: mqtt, endpoint: "mqtt://broker:0", profile: mqtt-charger }
              - { id: ev-3, kind: charger, node: n1, protocol: mqtt, endpoint: "mqtt://127.0.0.1:1883", profile: v2g-charger }
              - { id: ev-4, kind: charger, node: n1, protocol: modbus-tcp, endpoint: "127.0.0.1:502", profile: mqtt-charger }
              - { id: ok-1, kind: smes, node: n1, protocol: mqtt, endpoint: "mqtt://127.0.0.1:1883", profile: mqtt-smes-converter }
            {{RigYaml.FeederAndMarket}}
            """;
        var e = Assert.Throws<RigFileException>(() => RigLoader.Parse(yaml, "mqtt.yaml"));
        var text = e.Message;
        Assert.Contains("mqtt.yaml:4:", text);
        Assert.Contains("devices[0].endpoint: '127.0.0.1:1883' is not an MQTT broker address: write mqtt://HOST:PORT", text);
        Assert.Contains("devices[1].endpoint: 'mqtt://broker:0': the port '0' is not 1–65535", text);
        Assert.Contains("devices[2].profile: profile 'v2g-charger' has no 'mqtt' part", text);
        Assert.Contains("devices[3].profile: profile 'mqtt-charger' has no 'modbus' part", text);
        Assert.DoesNotContain("devices[4]", text);

        var good = RigLoader.Parse(yaml[..yaml.IndexOf("  - { id: ev-1", StringComparison.Ordinal)] + yaml[yaml.IndexOf("  - { id: ok-1", StringComparison.Ordinal)..], "good.yaml");
        var smes = Assert.Single(good.Devices);
        Assert.Equal(("mqtt", "mqtt://127.0.0.1:1883"), (smes.Protocol, smes.Endpoint));
    }

    private static string Rig(string device, string extra = "") => $$"""
        site: checks
        start: 2026-06-01T10:00:00Z
        devices:
          - {{device}}
        {{RigYaml.FeederAndMarket}}
        {{extra}}
        """;

    private const string Ev = "{ id: ev-1, kind: charger, node: n1, protocol: modbus-tcp, endpoint: \"127.0.0.1:502\", profile: v2g-charger";

    [Theory]
    [InlineData("socAtArrivalPercent: 150, arrival: \"08:00\", departure: \"18:00\"", "devices[0].sim.socAtArrivalPercent: 150 is out of range [0, 100]")]
    [InlineData("socAtArrivalPercent: 40, targetSocPercent: -5, arrival: \"08:00\", departure: \"18:00\"", "devices[0].sim.targetSocPercent: -5 is out of range [0, 100]")]
    [InlineData("socAtArrivalPercent: 40, arrival: \"18:00\", departure: \"08:00\"", "devices[0].sim: 'departure' must be after 'arrival'")]
    [InlineData("socAtArrivalPercent: 40, arrival: \"2026-06-01T18:00:00Z\", departure: \"17:00\"", "devices[0].sim: 'departure' must be after 'arrival'")]
    [InlineData("socAtArrivalPercent: .nan, arrival: \"08:00\", departure: \"18:00\"", "devices[0].sim.socAtArrivalPercent: '.nan' is not a number")]
    [InlineData("socAtArrivalPercent: 40, rampKwPerSecond: -.inf, arrival: \"08:00\", departure: \"18:00\"", "devices[0].sim.rampKwPerSecond: '-.inf' is not a number")]
    public void The_gateway_refuses_sim_blocks_the_simulators_refuse_once_in_the_one_readers_words(string sim, string why)
    {
        var e = Assert.Throws<RigFileException>(() => RigLoader.Parse(Rig($"{Ev}, sim: {{ batteryKwh: 60, maxChargeKw: 11, maxDischargeKw: 11, {sim} }} }}"), "sim.yaml"));
        Assert.Single(e.Problems);
        Assert.Contains(why, e.Message);
        Assert.All(e.Problems, p => Assert.True(p.Line > 0, $"{p} has no line"));
    }

    [Fact]
    public void A_non_finite_number_anywhere_is_refused_and_a_quoted_one_is_text()
    {
        var e = Assert.Throws<RigFileException>(() => RigLoader.Parse(Rig($"{Ev} }}", "journal: { path: x.db }\nx-note: .NaN"), "nan.yaml"));
        Assert.Contains("unknown key", e.Message);
        Assert.Contains("x-note: '.NaN' is not a number", e.Message);
        var quoted = RigLoader.Parse(Rig($"{Ev}, participant: \".nan\" }}"), "quoted.yaml");
        Assert.Equal(".nan", quoted.Devices[0].ParticipantId);
    }

    [Theory]
    [InlineData("0.0.0.0:18090", false)]
    [InlineData("192.168.1.10:8080", false)]
    [InlineData("[::]:8080", false)]
    [InlineData("127.0.0.1:18090", true)]
    [InlineData("localhost:0", true)]
    [InlineData("[::1]:8080", true)]
    public void A_dashboard_beyond_loopback_without_TLS_is_refused_not_silently_bound_to_loopback(string listen, bool accepted)
    {
        var yaml = Rig($"{Ev} }}", $"operator: {{ dashboard: \"{listen}\" }}");
        if (accepted)
        {
            Assert.Equal(listen, RigLoader.Parse(yaml, "dash.yaml").Operator.DashboardListen);
            return;
        }
        var e = Assert.Throws<RigFileException>(() => RigLoader.Parse(yaml, "dash.yaml"));
        Assert.Contains($"operator.dashboard: '{listen}' is not a loopback address: a dashboard reachable from the network needs HTTPS", e.Message);
    }

    [Fact]
    public void A_device_can_be_read_only()
    {
        var rig = RigLoader.Parse(Rig($"{Ev}, readOnly: true }}"), "ro.yaml");
        Assert.True(rig.Devices[0].ReadOnly);
        Assert.False(RigLoader.Parse(Rig($"{Ev} }}"), "rw.yaml").Devices[0].ReadOnly);
        var e = Assert.Throws<RigFileException>(() => RigLoader.Parse(Rig($"{Ev}, readOnly: maybe }}"), "ro.yaml"));
        Assert.Contains("devices[0].readOnly: must be true or false", e.Message);
    }

    private const string EvSim = "sim: { batteryKwh: 60, maxChargeKw: 11, maxDischargeKw: 11, socAtArrivalPercent: 40, arrival: \"08:00\", departure: \"18:00\" }";

    [Theory]
    [InlineData("unitId: 0", "devices[0].unitId", "0 is out of range [1, 247]")]
    [InlineData("unitId: 1.5", "devices[0].unitId", "must be a whole number")]
    [InlineData("pollSeconds: 0", "devices[0].pollSeconds", "0 s is out of range")]
    [InlineData("colour: red", "devices[0].colour", "unknown key")]
    public void A_device_field_of_a_simulated_rig_is_checked_once_by_one_rule_set(string field, string path, string why)
    {
        // The gateway and the simulators read a device's common fields with one reader: a wrong one is one problem, not the
        // gateway's and then the simulators' in other words, and a rig file reads the same for both.
        var yaml = Rig($"{Ev}, {field}, {EvSim} }}");
        var gateway = Assert.Single(Assert.Throws<RigFileException>(() => RigLoader.Parse(yaml, "sim.yaml")).Problems);
        var simulators = Assert.Single(Assert.Throws<RigFileException>(() => RigLoader.ParseSimulated(yaml, "sim.yaml")).Problems);
        Assert.Equal(gateway, simulators);
        Assert.Equal(path, gateway.Path);
        Assert.Contains(why, gateway.Message);
        Assert.Equal(4, gateway.Line);
    }

    [Theory]
    // The simulators refused a start without its time of day; the gateway took a bare date.
    [InlineData("start: 2026-06-01T10:00:00Z", "start: 2026-06-01", "start", "not an ISO 8601 date-time")]
    // The simulators checked an RTU endpoint's line settings; the gateway took any text.
    [InlineData("protocol: modbus-tcp, endpoint: \"127.0.0.1:502\"", "protocol: modbus-rtu, endpoint: \"/dev/ttyUSB0?baud=12345\"", "devices[0].endpoint", "an RTU endpoint is a tty path")]
    // The simulators refused an OCPP device that is not a charger; the gateway only named its profile's kind.
    [InlineData("kind: charger, node: n1, protocol: modbus-tcp, endpoint: \"127.0.0.1:502\", profile: v2g-charger", "kind: meter, node: n1, protocol: ocpp, endpoint: \"ws://127.0.0.1:9000/ocpp/cp-1\", profile: ocpp-charger", "devices[0].protocol", "only chargers speak OCPP")]
    public void Where_the_gateway_and_the_simulators_disagreed_the_stricter_rule_holds_for_a_rig_without_sim_blocks(string from, string to, string path, string why)
    {
        var e = Assert.Throws<RigFileException>(() => RigLoader.Parse(Rig($"{Ev} }}").Replace(from, to, StringComparison.Ordinal), "real.yaml"));
        Assert.Contains(e.Problems, p => p.Path == path && p.Message.Contains(why, StringComparison.Ordinal));
    }

    [Fact]
    public void A_brokers_security_and_its_sims_part_are_read_by_one_rule_set()
    {
        var yaml = Rig($"{Ev}, {EvSim} }}", """
            brokers:
              - url: mqtts://127.0.0.1:8883
                tls: { ca: no-such-ca.pem }
                sims: { tls: { ca: no-such-ca.pem }, passwordEnv: GW_TEST_NO_SUCH_VARIABLE }
            """);
        var gateway = Assert.Throws<RigFileException>(() => RigLoader.Parse(yaml, "brokers.yaml")).Problems;
        var simulators = Assert.Throws<RigFileException>(() => RigLoader.ParseSimulated(yaml, "brokers.yaml")).Problems;
        Assert.Contains(gateway, p => p.Path == "brokers[0].tls.ca" && p.Message == "file 'no-such-ca.pem' not found");
        Assert.Contains(gateway, p => p.Path == "brokers[0].sims.tls.ca" && p.Message == "file 'no-such-ca.pem' not found");
        Assert.Contains(gateway, p => p.Path == "brokers[0].sims" && p.Message == "a password needs a username");
        Assert.Equal(gateway.Where(p => p.Path.StartsWith("brokers[0].sims", StringComparison.Ordinal)), simulators);
    }
}
