using Gateway.Drivers.Devices;
using YamlDotNet.RepresentationModel;

namespace Gateway.Rigs;

/// <summary>What a read of a rig's <c>devices:</c> checks besides the fields every device has.</summary>
/// <param name="ForGateway">
/// Read for the gateway: node and protocol are required, the profile is loaded and checked against the device, an I²C meter's
/// INA219 is read. The simulators need neither a node nor a profile they load themselves, and default the protocol to modbus-tcp.
/// </param>
/// <param name="Simulated">Run against device-sims: every device has a <c>sim:</c> block and is one the simulators can stand in for.</param>
/// <param name="Start">The rig's start: the day a scenario's times of day fall on.</param>
/// <param name="BaseDir">The rig's folder, against which a profile path is resolved.</param>
/// <param name="FeederNodes">The feeder's nodes a device must sit at; null when there is no feeder to check against.</param>
internal sealed record RigDeviceRules(bool ForGateway, bool Simulated, DateTimeOffset Start, string BaseDir, IReadOnlySet<string>? FeederNodes);

/// <summary>
/// Reads a rig's <c>devices:</c> once, with one set of rules for the fields every device has (id, kind, participant, node,
/// protocol, endpoint, unitId, profile, pollSeconds, readOnly), then what the reader needs on top: the gateway the profile it
/// drives the device with, the feeder node and an I²C meter's INA219; the simulators the device's <c>sim:</c> block
/// (<see cref="SimulatedPart"/>). A rig read for the gateway and run against the simulators is read once with both.
/// </summary>
internal static class RigDeviceReader
{
    private static readonly string[] Protocols = ["modbus-tcp", "modbus-rtu", "mqtt", "ocpp", "i2c"];

    /// <summary>Every device of the rig under <paramref name="root"/> that has no problem; each problem goes to <paramref name="reader"/>.</summary>
    public static List<RigDevice> Read(YamlFieldReader reader, YamlMappingNode root, RigDeviceRules rules)
    {
        var devices = new List<(RigDevice Device, YamlMappingNode Node, string Path)>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var items = reader.Sequence(root, "devices", "");
        if (items.Count == 0 && YamlFieldReader.Child(root, "devices") is { } empty)
            reader.Problem(empty, "devices", "lists no device");
        for (var i = 0; i < items.Count; i++)
        {
            var path = $"devices[{i}]";
            if (items[i] is not YamlMappingNode d) { reader.Problem(items[i], path, "must be a mapping"); continue; }
            var f = ReadFields(reader, d, path, rules);
            if (f.Id is not null && !ids.Add(f.Id))
                reader.Problem(YamlFieldReader.Child(d, "id"), path + ".id", $"device '{f.Id}' is defined twice");
            var (profile, ina219) = rules.ForGateway ? ReadGatewayPart(reader, d, path, f, rules) : (f.Profile, null);
            var scenario = rules.Simulated ? SimulatedPart.ReadScenario(reader, d, path, f.Kind is null ? null : RigDevice.ParseKind(f.Kind), rules.Start) : SimulatedPart.Scenario.None;

            if (f.Id is null || f.Kind is null || f.Node is null || f.Protocol is null || f.Endpoint is null || f.UnitId is null || profile is null
                || f.PollSeconds is null || f.Participant is null || f.ReadOnly is null)
                continue;
            if (f.Protocol == "i2c" && ina219 is null) continue;
            var device = new RigDevice
            {
                Id = f.Id, DeviceKind = RigDevice.ParseKind(f.Kind) ?? DeviceKind.Charger, ParticipantId = f.Participant, NodeId = f.Node,
                Protocol = f.Protocol, Endpoint = f.Endpoint, UnitId = (byte)f.UnitId.Value, Profile = profile,
                PollPeriod = TimeSpan.FromSeconds(f.PollSeconds.Value), ReadOnly = f.ReadOnly.Value, Ina219 = ina219,
            };
            // A device whose sim: block was refused is kept without its scenario (the rig is refused all the same), so the checks
            // across devices (the gateway's and the simulators') see every device and report their problems in the same read.
            devices.Add(((scenario ?? SimulatedPart.Scenario.None).On(device), d, path));
        }
        if (rules.Simulated) SimulatedPart.CheckAcrossDevices(reader, root, devices, ids);
        return devices.Select(x => x.Device).ToList();
    }

    /// <summary>A device's common fields as written; each is null when missing or wrong (and then reported).</summary>
    private sealed record Fields(string? Id, string? Kind, string? Participant, string? Node, string? Protocol, string? Endpoint, int? UnitId,
        string? Profile, double? PollSeconds, bool? ReadOnly);

    private static Fields ReadFields(YamlFieldReader reader, YamlMappingNode d, string path, RigDeviceRules rules)
    {
        reader.RejectUnknownKeys(d, path, "id", "kind", "participant", "node", "protocol", "endpoint", "unitId", "profile", "pollSeconds", "readOnly", "sim", "ina219");
        var id = reader.String(d, "id", path);
        var kind = reader.Choice(d, "kind", path, RigDevice.KindNames);
        var participant = reader.String(d, "participant", path, required: false) ?? id;
        var node = reader.String(d, "node", path, required: rules.ForGateway) ?? (rules.ForGateway ? null : "");
        var protocol = reader.Choice(d, "protocol", path, Protocols, required: rules.ForGateway, fallback: rules.ForGateway ? null : "modbus-tcp");
        var endpoint = reader.String(d, "endpoint", path);
        var unitId = reader.Integer(d, "unitId", path, 1, 247, required: false, fallback: 1);
        var profile = reader.String(d, "profile", path, required: protocol != "i2c");
        var poll = reader.Number(d, "pollSeconds", path, 0.01, 86_400, required: false, fallback: 5, unit: "s");
        var readOnly = reader.Boolean(d, "readOnly", path, required: false, fallback: false);

        if (endpoint is not null) CheckEndpoint(reader, d, path, protocol, endpoint, rules.Simulated);
        if (protocol == "ocpp" && kind is not null && kind != "charger")
            reader.Problem(YamlFieldReader.Child(d, "protocol"), path + ".protocol", $"only chargers speak OCPP; this device is a {kind}");
        if (protocol == "i2c" && rules.Simulated)
            reader.Problem(YamlFieldReader.Child(d, "protocol"), path + ".protocol",
                "the simulators cannot stand in for an I²C meter (an INA219 on the bench): a rig with sim: blocks uses modbus-tcp, modbus-rtu, mqtt or ocpp");
        if (protocol != "i2c" && YamlFieldReader.Child(d, "ina219") is { } ina219)
            reader.Problem(ina219, path + ".ina219", $"only an i2c device has INA219 settings; this one speaks {protocol}");
        return new Fields(id, kind, participant, node, protocol, endpoint, unitId, profile, poll, readOnly);
    }

    private static void CheckEndpoint(YamlFieldReader reader, YamlMappingNode d, string path, string? protocol, string endpoint, bool simulated)
    {
        var at = YamlFieldReader.Child(d, "endpoint");
        path += ".endpoint";
        switch (protocol)
        {
            case "modbus-tcp" when !RigLoader.IsHostPort(endpoint):
                reader.Problem(at, path, $"'{endpoint}' is not host:port");
                break;
            // A simulator opens the port it serves on this machine; a real device's address is anywhere on the bench's network.
            case "modbus-tcp" when simulated && !RigLoader.IsLoopbackHost(endpoint[..endpoint.LastIndexOf(':')]):
                reader.Problem(at, path, $"'{endpoint}': a simulated device listens on a loopback host:port only (127.0.0.1:PORT, [::1]:PORT or localhost:PORT)");
                break;
            case "modbus-rtu" when !Gateway.Drivers.Modbus.ModbusEndpoint.TryParse("modbus-rtu://" + endpoint, out _, out var rtuError):
                reader.Problem(at, path, $"'{endpoint}': {rtuError} (an RTU endpoint is a tty path with its line settings, e.g. /dev/ttyUSB0?baud=9600&parity=E)");
                break;
            case "mqtt" when MqttEndpointProblem(endpoint) is { } mqttProblem:
                reader.Problem(at, path, mqttProblem);
                break;
            case "ocpp" when !Gateway.Drivers.Devices.Ocpp.OcppStationUrl.TryParse(endpoint, out _, out var ocppProblem):
                reader.Problem(at, path, ocppProblem);
                break;
        }
    }

    // An mqtt device's endpoint is the broker it publishes through.
    private static string? MqttEndpointProblem(string endpoint)
    {
        if (!endpoint.StartsWith("mqtt://", StringComparison.OrdinalIgnoreCase) && !endpoint.StartsWith("mqtts://", StringComparison.OrdinalIgnoreCase))
            return $"'{Gateway.Drivers.Devices.Mqtt.MqttBrokerAddress.Mask(endpoint)}' is not an MQTT broker address: write mqtt://HOST:PORT (mqtts:// for TLS)";
        return Gateway.Drivers.Devices.Mqtt.MqttBrokerAddress.TryParse(endpoint, out _, out var error) ? null : error;
    }

    /// <summary>
    /// What only the gateway needs: the feeder node the device sits at, and how it drives the device — an I²C meter's INA219,
    /// or the profile (loaded here, so a profile of another kind or without the device's transport is refused before a run).
    /// </summary>
    private static (string? Profile, RigIna219? Ina219) ReadGatewayPart(YamlFieldReader reader, YamlMappingNode d, string path, Fields f, RigDeviceRules rules)
    {
        if (rules.FeederNodes is { } nodes && f.Node is not null && !nodes.Contains(f.Node))
            reader.Problem(YamlFieldReader.Child(d, "node"), path + ".node", $"'{f.Node}' is not a node of the feeder");
        if (f.Protocol == "i2c")
        {
            var ina219 = RigLabHardware.ReadIna219(reader, d, path, f.Endpoint, f.Kind);
            if (f.Profile is not null && f.Profile != "ina219")
                reader.Problem(YamlFieldReader.Child(d, "profile"), path + ".profile", $"an i2c device is read by the built-in INA219 driver: leave profile out or write ina219, not '{f.Profile}'");
            return ("ina219", ina219);
        }
        if (f.Profile is not { } name) return (null, null);
        var candidate = name.Contains('/') || name.EndsWith(".yaml", StringComparison.Ordinal) ? RigLoader.Resolve(rules.BaseDir, name) : name;
        var at = YamlFieldReader.Child(d, "profile");
        try
        {
            var loaded = ProfileLoader.Load(candidate);
            if (f.Kind is not null && !string.Equals(loaded.Kind, f.Kind, StringComparison.Ordinal))
                reader.Problem(at, path + ".profile", $"profile '{name}' is for a {loaded.Kind}, but the device is a {f.Kind}");
            if (f.Protocol is "mqtt" && loaded.Mqtt is null)
                reader.Problem(at, path + ".profile", $"profile '{name}' has no 'mqtt' part (a topic map), so it cannot be reached over MQTT; use an MQTT profile such as mqtt-charger, or protocol modbus-tcp");
            if (f.Protocol is "ocpp" && loaded.Ocpp is null)
                reader.Problem(at, path + ".profile", $"profile '{name}' has no 'ocpp' part, so it cannot be reached over OCPP; use ocpp-charger");
            if (f.Protocol is "modbus-tcp" or "modbus-rtu" && loaded.Modbus is null)
                reader.Problem(at, path + ".profile", $"profile '{name}' has no 'modbus' part (a register map); use protocol mqtt for it, or a Modbus profile");
            return (candidate, null);
        }
        catch (Exception e) when (e is ProfileLoadException or IOException or ArgumentException)
        {
            reader.Problem(at, path + ".profile", $"profile '{name}' cannot be used: {RigLoader.FirstLine(e.Message)}");
            return (null, null);
        }
    }
}
