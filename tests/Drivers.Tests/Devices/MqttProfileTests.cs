using Gateway.Drivers.Devices;
using Gateway.Drivers.Devices.Mqtt;

namespace Gateway.Drivers.Tests.Devices;

/// <summary>The <c>mqtt:</c> part of a profile: the shipped topic maps load, and every bad case is named with file and point.</summary>
public sealed class MqttProfileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mqtt-profiles-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private const string Minimal = """
        name: mine
        kind: smes
        mqtt:
          topicPrefix: lab/{device}
          telemetry: [t]
          command: { topic: cmd, valueField: w }
          ack: { topic: ack }
        points:
          - name: PowerKw
            role: measured-power
            unit: kW
            mqtt: { field: p.w, scale: -3 }
          - name: SetpointKw
            role: setpoint
            unit: kW
            access: rw
            mqtt: { field: sp }
        """;

    [Theory]
    [InlineData("mqtt-charger", "charger", "v2g-charger")]
    [InlineData("mqtt-smes-converter", "smes", "smes-converter")]
    [InlineData("mqtt-meter", "meter", "sunspec-meter")]
    [InlineData("mqtt-pv-inverter", "pv-inverter", "sunspec-inverter")]
    public void Shipped_topic_maps_load_and_match_their_Modbus_twins(string name, string kind, string twin)
    {
        var profile = ProfileLoader.Load(name);
        Assert.Equal(kind, profile.Kind);
        Assert.Null(profile.Modbus);
        Assert.NotNull(profile.Mqtt);
        Assert.All(profile.Points, p => Assert.True(profile.Mqtt!.Locations.ContainsKey(p.Name), p.Name));
        // The worker looks points up by role: every role of the Modbus twin (but its scale-factor,
        // heartbeat, enable and Modbus-only registers) is there, under the same name.
        var modbus = ProfileLoader.Load(twin);
        foreach (var point in modbus.Points.Where(p => p.Role is not (PointRole.ScaleFactor or PointRole.Heartbeat or PointRole.SetpointEnable) && p.Name is not ("ControlMode" or "DeviceAddress")))
        {
            var same = profile.FindPoint(point.Name);
            Assert.True(same is not null, $"{name} lacks {point.Name}");
            Assert.Equal(point.Role, same!.Role);
            Assert.Equal(point.Unit, same.Unit);
        }
    }

    [Fact]
    public void The_charger_map_resolves_its_topics_for_a_device_id()
    {
        var map = ProfileLoader.Load("mqtt-charger").Mqtt!;
        var topics = map.For("ev-7");
        Assert.Equal("v2g/ev-7", topics.Prefix);
        Assert.Equal(["v2g/ev-7/state", "v2g/ev-7/energy"], topics.Telemetry.Keys);
        Assert.Equal("v2g/ev-7/setpoint/set", topics.Command);
        Assert.Equal("v2g/ev-7/setpoint/ack", topics.Ack);
        Assert.Equal("v2g/ev-7/heartbeat", topics.Heartbeat);
        Assert.Equal("powerW", map.Command!.ValueField.Text);
        Assert.Equal(MqttSetpointValidity.Both, map.Command.Validity);
        Assert.Equal("appliedW", map.Ack!.AppliedField!.Text);
        var power = map.Locations["PowerKw"];
        Assert.Equal(("state", "power.w", -3, true), (power.Topic, power.Field.Text, power.ScaleExponent, power.Negate));
        Assert.Equal(-7.4, power.ToEngineering(7400), 9);
        Assert.Equal(7400, power.ToDevice(-7.4), 9);
        var setpoint = map.Locations["SetpointKw"];
        Assert.Equal(1, setpoint.Step);
        Assert.Equal(7401, setpoint.RoundToStep(7400.5));
        Assert.Equal(10, ProfileLoader.Load("mqtt-smes-converter").Mqtt!.Locations["SetpointKw"].Step);
        // An id that would add a topic level or a wildcard is escaped, as on the operator topics.
        Assert.Equal("v2g/bay%2F2%23a", map.For("bay/2#a").Prefix);
        Assert.Throws<ArgumentException>(() => map.For(null));
    }

    [Fact]
    public void A_minimal_map_loads_with_its_defaults()
    {
        var profile = ProfileLoader.Load(Write("mine.yaml", Minimal));
        var map = profile.Mqtt!;
        Assert.Equal("t", map.Locations["PowerKw"].Topic); // the only telemetry topic
        Assert.Equal("id", map.Command!.IdField.Text);
        Assert.Equal("validForSeconds", map.Command.ValidForField.Text);
        Assert.Equal(("id", "accepted", "reason"), (map.Ack!.IdField.Text, map.Ack.AcceptedField.Text, map.Ack.ReasonField.Text));
        Assert.Null(map.Ack.AppliedField);
        Assert.Null(map.HeartbeatTopic);
        Assert.Equal(TimeSpan.FromSeconds(30), map.SilenceTimeout);
    }

    [Fact]
    public void Every_problem_of_the_topic_map_is_named_with_file_and_point()
    {
        var path = Write("bad.yaml", """
            name: bad
            kind: charger
            mqtt:
              topicPrefix: "site/+/{device}/{bay}"
              telemetry: [state, state, "a//b", meter/#]
              command: { topic: state, validity: sometimes }
              heartbeat: "{device}/hb"
              silenceTimeoutSeconds: 0
            points:
              - name: PowerKw
                role: measured-power
                unit: kW
                mqtt: { topic: elsewhere, field: "power..w", scale: 40 }
              - name: SocPercent
                role: state-of-charge
                unit: "%"
                mqtt: { field: soc, absent: "" }
              - name: SetpointKw
                role: setpoint
                unit: kW
                access: rw
                enablePoint: PowerKw
                mqtt: { topic: state }
              - name: Plug
                role: plug-state
              - name: Registered
                role: info
                unit: kW
                modbus: { address: 3, type: int16 }
                mqtt: { topic: state, field: x }
              - name: Again
                role: info
                unit: kW
                mqtt: { topic: state, field: x }
            """);
        var e = Assert.Throws<ProfileLoadException>(() => ProfileLoader.Load(path));
        var problems = e.Problems.Select(p => p.ToString()).ToArray();
        Assert.All(e.Problems, p => Assert.Equal(path, p.File));
        Assert.Contains(problems, p => p.Contains("'topicPrefix'") && p.Contains("placeholder other than {device}"));
        Assert.Contains(problems, p => p.Contains("telemetry topic 'state' is listed twice"));
        Assert.Contains(problems, p => p.Contains("'a//b' has an empty level"));
        Assert.Contains(problems, p => p.Contains("'meter/#' contains a wildcard"));
        Assert.Contains(problems, p => p.Contains("'command.validity' is 'sometimes'"));
        Assert.Contains(problems, p => p.Contains("'command.valueField' is missing"));
        Assert.Contains(problems, p => p.Contains("'command' needs an 'ack' topic"));
        Assert.Contains(problems, p => p.Contains("heartbeat topic") && p.Contains("only the topicPrefix takes {device}"));
        Assert.Contains(problems, p => p.Contains("topic 'state' is used as telemetry and command"));
        Assert.Contains(problems, p => p.Contains("'silenceTimeoutSeconds' is 0"));
        // Point problems need a usable part; the part's own problems are reported above.
        Assert.Contains(problems, p => p.Contains("point 'Plug'") && p.Contains("'mqtt' (its telemetry field) is missing"));
        Assert.Contains(problems, p => p.Contains("point 'Registered'") && p.Contains("'modbus' is given but the profile has no 'modbus' part"));
        Assert.Contains(problems, p => p.Contains("point 'SetpointKw'") && p.Contains("'enablePoint' has no meaning over MQTT"));
    }

    [Fact]
    public void Point_locations_are_checked_against_the_part()
    {
        var path = Write("points.yaml", """
            name: points
            kind: smes
            mqtt:
              topicPrefix: lab/{device}
              telemetry: [t, u]
              command: { topic: cmd, valueField: w, idField: w }
              ack: { topic: ack, appliedField: "a b" }
            points:
              - name: PowerKw
                role: measured-power
                unit: kW
                mqtt: { field: p }
              - name: CoilCurrentA
                role: coil-current
                unit: A
                mqtt: { topic: v, field: i }
              - name: StoredEnergyKwh
                role: stored-energy
                unit: kWh
                mqtt: { topic: t, field: "e..x", scale: -13 }
              - name: SocLike
                role: info
                unit: "%"
                mqtt: { topic: t, field: soc, absent: "", step: 0 }
              - name: Twin
                role: info
                unit: kW
                mqtt: { topic: u, field: same }
              - name: Twin2
                role: info
                unit: kW
                mqtt: { topic: u, field: same }
            """);
        var e = Assert.Throws<ProfileLoadException>(() => ProfileLoader.Load(path));
        var problems = e.Problems.Select(p => p.ToString()).ToArray();
        Assert.Contains(problems, p => p.Contains("command's id, value and validity fields must differ"));
        Assert.Contains(problems, p => p.Contains("'ack.appliedField'") && p.Contains("letters, digits"));
        Assert.Contains(problems, p => p.Contains("point 'PowerKw'") && p.Contains("'topic' is missing: the profile has 2 telemetry topics"));
        Assert.Contains(problems, p => p.Contains("point 'CoilCurrentA'") && p.Contains("topic 'v' is not one of the profile's telemetry topics"));
        Assert.Contains(problems, p => p.Contains("point 'StoredEnergyKwh'") && p.Contains("empty segment"));
        Assert.Contains(problems, p => p.Contains("point 'StoredEnergyKwh'") && p.Contains("'scale' is -13"));
        Assert.Contains(problems, p => p.Contains("point 'SocLike'") && p.Contains("'absent' is empty"));
        Assert.Contains(problems, p => p.Contains("point 'SocLike'") && p.Contains("'step' is 0"));
        Assert.Contains(problems, p => p.Contains("point 'Twin2'") && p.Contains("already point 'Twin'"));
    }

    [Fact]
    public void Unknown_keys_in_the_topic_map_name_the_line()
    {
        var typo = Write("typo.yaml", Minimal.Replace("valueField: w", "valueFeld: w"));
        var e = Assert.Throws<ProfileLoadException>(() => ProfileLoader.Load(typo));
        Assert.Contains(typo, e.Message);
        Assert.Contains("line 6", e.Message);
        Assert.Contains("valueFeld", e.Message);

        var pointTypo = Write("typo2.yaml", Minimal.Replace("field: sp", "feild: sp"));
        e = Assert.Throws<ProfileLoadException>(() => ProfileLoader.Load(pointTypo));
        Assert.Contains("feild", e.Message);
    }

    [Fact]
    public void A_profile_without_any_transport_part_is_refused()
    {
        var path = Write("none.yaml", """
            name: none
            kind: meter
            points:
              - { name: PowerKw, role: measured-power, unit: kW }
            """);
        var e = Assert.Throws<ProfileLoadException>(() => ProfileLoader.Load(path));
        Assert.Contains(e.Problems, p => p.Message.Contains("'modbus', 'mqtt' and 'ocpp' are all missing"));
    }

    [Fact]
    public void A_setpoint_without_a_command_and_a_command_without_an_ack_are_refused()
    {
        var noCommand = Write("nocmd.yaml", Minimal.Replace("  command: { topic: cmd, valueField: w }\n  ack: { topic: ack }\n", ""));
        var e = Assert.Throws<ProfileLoadException>(() => ProfileLoader.Load(noCommand));
        Assert.Contains(e.Problems, p => p.Message.Contains("has a setpoint point but no 'command'"));

        var ackOnly = Write("ackonly.yaml", Minimal.Replace("  command: { topic: cmd, valueField: w }\n", ""));
        e = Assert.Throws<ProfileLoadException>(() => ProfileLoader.Load(ackOnly));
        Assert.Contains(e.Problems, p => p.Message.Contains("'ack' is given without a 'command'"));

        var noSetpoint = Write("nosetpoint.yaml", Minimal[..Minimal.IndexOf("  - name: SetpointKw", StringComparison.Ordinal)]);
        e = Assert.Throws<ProfileLoadException>(() => ProfileLoader.Load(noSetpoint));
        Assert.Contains(e.Problems, p => p.Message.Contains("'command' is given but no point has role 'setpoint'"));
    }

    [Theory]
    [InlineData("mqtt://127.0.0.1:1883", "127.0.0.1", 1883)]
    [InlineData("mqtt://broker.site", "broker.site", 1883)]
    [InlineData("10.0.0.5:18830", "10.0.0.5", 18830)]
    [InlineData("mqtt://[::1]:1884", "::1", 1884)]
    public void Broker_addresses_parse(string text, string host, int port)
    {
        Assert.True(MqttBrokerAddress.TryParse(text, out var address, out var error), error);
        Assert.Equal(new MqttBrokerAddress(host, port), address);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("modbus-tcp://127.0.0.1:502", "scheme must be mqtt://")]
    [InlineData("mqtt://127.0.0.1:0", "not 1–65535")]
    [InlineData("mqtt://127.0.0.1:1883/topic", "path or query")]
    [InlineData("broker", "is not HOST:PORT")]
    public void Bad_broker_addresses_say_why(string text, string why)
    {
        Assert.False(MqttBrokerAddress.TryParse(text, out _, out var error));
        Assert.Contains(why, error);
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }
}
