using System.Globalization;
using System.Net;
using YamlDotNet.RepresentationModel;

namespace Gateway.Rigs;

/// <summary>
/// The simulated side of a rig file, as <see cref="RigLoader"/> reads it: site, start, timeScale and devices with their
/// <c>sim:</c> blocks (physics and scenario), and how the simulated devices reach secured brokers. A rig the simulators run
/// is checked by these rules as well as the gateway's; inside the device part an unknown key is an error, so typos are caught.
/// </summary>
internal static class SimulatedPart
{
    private static readonly string[] DeviceKeys = ["id", "kind", "participant", "node", "protocol", "endpoint", "unitId", "profile", "pollSeconds", "readOnly", "sim"];
    private static readonly string[] Protocols = ["modbus-tcp", "modbus-rtu", "mqtt", "ocpp"];

    /// <summary>Reads the simulated side of the rig under <paramref name="root"/>; every problem goes to <paramref name="problems"/>.</summary>
    public static RigDefinition Read(YamlMappingNode root, string sourcePath, List<RigProblem> problems)
    {
        var ctx = new Context(sourcePath, problems);
        var site = ctx.String(root, "site", "rig", required: true) ?? "";
        var start = ctx.Time(root, "start", "rig", null) ?? default;
        var timeScale = ctx.Number(root, "timeScale", "rig", 1, min: 0.001, max: 100_000);
        var devices = new List<RigDevice>();
        if (ctx.Child(root, "devices") is not YamlSequenceNode list || list.Children.Count == 0)
        {
            ctx.Problem(root, "rig", "'devices' is missing or empty");
        }
        else
        {
            var index = 0;
            foreach (var node in list.Children)
            {
                index++;
                if (node is not YamlMappingNode device) { ctx.Problem(node, $"device #{index}", "must be a mapping"); continue; }
                if (ParseDevice(ctx, device, index, start) is { } parsed) devices.Add(parsed);
            }
        }
        foreach (var dup in devices.GroupBy(d => d.Id).Where(g => g.Count() > 1))
            ctx.Problems.Add(new RigProblem(sourcePath, "", 0, $"device id '{dup.Key}' is used {dup.Count()} times"));
        foreach (var clash in devices.Where(d => d.Protocol == "modbus-tcp").GroupBy(d => (d.Endpoint, d.UnitId)).Where(g => g.Count() > 1 && !g.Key.Endpoint.EndsWith(":0", StringComparison.Ordinal)))
            ctx.Problems.Add(new RigProblem(sourcePath, "", 0, $"devices {string.Join(", ", clash.Select(d => d.Id))} share endpoint {clash.Key.Endpoint} and unit {clash.Key.UnitId}"));
        foreach (var meter in devices.Where(d => d.Meter is not null))
            foreach (var id in meter.Meter!.Sums.Where(id => devices.All(d => d.Id != id)))
                ctx.Problems.Add(new RigProblem(sourcePath, $"device '{meter.Id}'", 0, $"sim.sums names '{id}', which is not a device of this rig"));

        var brokers = ParseBrokers(ctx, root, Path.GetDirectoryName(Path.GetFullPath(sourcePath)) ?? ".");
        return new RigDefinition { SiteId = site, StartUtc = start, TimeScale = timeScale, Devices = devices, SourceFile = sourcePath, SimBrokers = brokers };
    }

    /// <summary>brokers[].url with its <c>sims:</c> part — how the simulated devices connect (the gateway reads the rest).</summary>
    private static List<SimBroker> ParseBrokers(Context ctx, YamlMappingNode root, string baseDir)
    {
        var brokers = new List<SimBroker>();
        if (ctx.Child(root, "brokers") is not YamlSequenceNode list) return brokers;
        foreach (var node in list.Children.OfType<YamlMappingNode>())
        {
            var url = ctx.String(node, "url", "brokers[]", required: true);
            if (url is null) continue;
            if (!Gateway.Drivers.Devices.Mqtt.MqttBrokerAddress.TryParse(url, out var address, out var error)) { ctx.Problem(node, "brokers[]", error); continue; }
            var security = new Gateway.Drivers.Mqtt.MqttBrokerSecurity { Tls = address!.UseTls };
            if (ctx.Child(node, "sims") is YamlMappingNode sims)
            {
                var where = $"broker {address}: sims";
                ctx.UnknownKeys(sims, where, ["tls", "username", "passwordEnv", "passwordFile"]);
                string? Path0(string? p) => p is null ? null : Path.IsPathRooted(p) ? p : Path.GetFullPath(Path.Combine(baseDir, p));
                if (ctx.Child(sims, "tls") is YamlMappingNode tls)
                {
                    ctx.UnknownKeys(tls, where + ".tls", ["ca", "certificate", "key", "serverName"]);
                    security = security with
                    {
                        Tls = true, CaFile = Path0(ctx.String(tls, "ca", where, false)), ClientCertificateFile = Path0(ctx.String(tls, "certificate", where, false)),
                        ClientKeyFile = Path0(ctx.String(tls, "key", where, false)), ServerName = ctx.String(tls, "serverName", where, false),
                    };
                }
                security = security with
                {
                    UserName = ctx.String(sims, "username", where, false), PasswordEnvironmentVariable = ctx.String(sims, "passwordEnv", where, false),
                    PasswordFile = Path0(ctx.String(sims, "passwordFile", where, false)),
                };
                foreach (var problem in security.Check()) ctx.Problem(sims, where, problem);
            }
            brokers.Add(new SimBroker(address.WithoutCredentials(), security));
        }
        return brokers;
    }

    private static RigDevice? ParseDevice(Context ctx, YamlMappingNode node, int index, DateTimeOffset start)
    {
        var before = ctx.Problems.Count;
        var id = ctx.String(node, "id", $"device #{index}", required: true) ?? $"#{index}";
        var where = $"device '{id}'";
        ctx.UnknownKeys(node, where, DeviceKeys);
        var kindText = ctx.String(node, "kind", where, required: true);
        var kind = DeviceKind.Charger;
        if (kindText is not null && RigDevice.ParseKind(kindText) is { } known) kind = known;
        else if (kindText is not null)
            ctx.Problem(node, where, $"'kind' is '{kindText}', expected charger, pv-inverter, meter or smes");
        var protocol = ctx.String(node, "protocol", where, required: false) ?? "modbus-tcp";
        if (!Protocols.Contains(protocol)) ctx.Problem(node, where, $"'protocol' is '{protocol}', expected {string.Join(", ", Protocols)}");
        var endpoint = ctx.String(node, "endpoint", where, required: true) ?? "";
        if (protocol == "modbus-tcp" && endpoint.Length > 0 && !IsLoopbackEndpoint(endpoint))
            ctx.Problem(node, where, $"'endpoint' is '{endpoint}': a simulated device listens on a loopback host:port only (127.0.0.1:PORT, [::1]:PORT or localhost:PORT)");
        if (protocol == "modbus-rtu" && endpoint.Length > 0 && !Gateway.Drivers.Modbus.ModbusEndpoint.TryParse("modbus-rtu://" + endpoint, out _, out var rtuError))
            ctx.Problem(node, where, $"'endpoint' is '{endpoint}': {rtuError} (an RTU endpoint is a tty path the simulator creates, e.g. /tmp/gw-ev-1?baud=9600&parity=E)");
        if (protocol == "mqtt" && endpoint.Length > 0 && !endpoint.StartsWith("mqtt://", StringComparison.OrdinalIgnoreCase) && !endpoint.StartsWith("mqtts://", StringComparison.OrdinalIgnoreCase))
            ctx.Problem(node, where, $"'endpoint' is '{Gateway.Drivers.Devices.Mqtt.MqttBrokerAddress.Mask(endpoint)}': an mqtt device's endpoint is the broker it publishes through, written mqtt://HOST:PORT (mqtts:// for TLS)");
        else if (protocol == "mqtt" && endpoint.Length > 0 && !Gateway.Drivers.Devices.Mqtt.MqttBrokerAddress.TryParse(endpoint, out _, out var mqttError))
            ctx.Problem(node, where, $"'endpoint' is '{endpoint}': {mqttError} (an mqtt device's endpoint is the broker it publishes through, e.g. mqtt://127.0.0.1:1883)");
        if (protocol == "ocpp" && endpoint.Length > 0 && !Gateway.Drivers.Devices.Ocpp.OcppStationUrl.TryParse(endpoint, out _, out var ocppError))
            ctx.Problem(node, where, $"{ocppError} (an ocpp station dials the gateway's OCPP endpoint)");
        if (protocol == "ocpp" && kindText is not null && kind != DeviceKind.Charger)
            ctx.Problem(node, where, $"'protocol' is ocpp: only chargers speak OCPP, this device is a {kindText}");
        var unitId = ctx.Number(node, "unitId", where, 1, min: 1, max: 247);
        var profile = ctx.String(node, "profile", where, required: true) ?? "";
        var poll = ctx.Number(node, "pollSeconds", where, 5, min: 0.01, max: 86_400);
        var participant = ctx.String(node, "participant", where, required: false) ?? id;
        var feederNode = ctx.String(node, "node", where, required: false) ?? "";
        var readOnlyText = ctx.String(node, "readOnly", where, required: false);
        var readOnly = false;
        if (readOnlyText is not null && !bool.TryParse(readOnlyText, out readOnly)) ctx.Problem(node, where, $"'readOnly' is '{readOnlyText}', expected true or false");

        var sim = ctx.Child(node, "sim") as YamlMappingNode;
        if (sim is null && kindText is not null) ctx.Problem(node, where, "'sim' (the device's physics and scenario) is missing");
        EvScenario? ev = null; PvScenario? pv = null; SmesScenario? smes = null; MeterScenario? meter = null;
        if (sim is not null && kindText is not null)
        {
            var w = where + ": sim";
            switch (kind)
            {
                case DeviceKind.Charger:
                    ctx.UnknownKeys(sim, w, ["batteryKwh", "socAtArrivalPercent", "arrival", "departure", "targetSocPercent", "maxChargeKw", "maxDischargeKw", "chargeEfficiency", "dischargeEfficiency", "minSocPercent", "maxSocPercent", "rampKwPerSecond", "ocppVersion"]);
                    var ocppVersionText = ctx.String(sim, "ocppVersion", w, required: false);
                    Gateway.Drivers.Ocpp.OcppVersion? ocppVersion = null;
                    if (ocppVersionText is not null)
                    {
                        if (Gateway.Drivers.Ocpp.OcppVersions.TryParse(ocppVersionText, out var parsedVersion)) ocppVersion = parsedVersion;
                        else ctx.Problem(sim, w, $"'ocppVersion' is '{ocppVersionText}'; the simulated stations speak 2.1 or 2.0.1");
                    }
                    ev = new EvScenario
                    {
                        BatteryKwh = ctx.Number(sim, "batteryKwh", w, null, 0.1, 1000),
                        SocAtArrivalPercent = ctx.Number(sim, "socAtArrivalPercent", w, null, 0, 100),
                        Arrival = ctx.Time(sim, "arrival", w, start) ?? start,
                        Departure = ctx.Time(sim, "departure", w, start) ?? start,
                        TargetSocPercent = ctx.Number(sim, "targetSocPercent", w, 80, 0, 100),
                        MaxChargeKw = ctx.Number(sim, "maxChargeKw", w, null, 0, 1000),
                        MaxDischargeKw = ctx.Number(sim, "maxDischargeKw", w, null, 0, 1000),
                        ChargeEfficiency = ctx.Number(sim, "chargeEfficiency", w, 0.95, 0.01, 1),
                        DischargeEfficiency = ctx.Number(sim, "dischargeEfficiency", w, 0.95, 0.01, 1),
                        MinSocPercent = ctx.Number(sim, "minSocPercent", w, 10, 0, 100),
                        MaxSocPercent = ctx.Number(sim, "maxSocPercent", w, 100, 0, 100),
                        RampKwPerSecond = ctx.Number(sim, "rampKwPerSecond", w, 2, 0.001, 100_000),
                        OcppVersion = ocppVersion,
                    };
                    if (ev.Departure <= ev.Arrival) ctx.Problem(sim, w, "'departure' must be after 'arrival'");
                    if (ev.MinSocPercent >= ev.MaxSocPercent) ctx.Problem(sim, w, "'minSocPercent' must be below 'maxSocPercent'");
                    break;
                case DeviceKind.PvInverter:
                    ctx.UnknownKeys(sim, w, ["ratedKwp", "referenceEfficiency", "temperatureCoefficientPerK", "noctC", "ambientC", "ambientSwingC", "irradiance", "rampKwPerSecond", "initialEnergyKwh"]);
                    pv = new PvScenario
                    {
                        RatedKwp = ctx.Number(sim, "ratedKwp", w, null, 0.01, 10_000),
                        ReferenceEfficiency = ctx.Number(sim, "referenceEfficiency", w, 0.2, 0.01, 1),
                        TemperatureCoefficientPerK = ctx.Number(sim, "temperatureCoefficientPerK", w, 0.0045, 0, 0.1),
                        NoctC = ctx.Number(sim, "noctC", w, 45, 20, 100),
                        AmbientC = ctx.Number(sim, "ambientC", w, 25, -50, 60),
                        AmbientSwingC = ctx.Number(sim, "ambientSwingC", w, 0, 0, 30),
                        Irradiance = ParseIrradiance(ctx, ctx.Child(sim, "irradiance"), w + ".irradiance", sim),
                        RampKwPerSecond = ctx.Number(sim, "rampKwPerSecond", w, 5, 0.001, 100_000),
                        InitialEnergyKwh = ctx.Number(sim, "initialEnergyKwh", w, 1000, 0.001, 4_000_000),
                    };
                    break;
                case DeviceKind.Smes:
                    ctx.UnknownKeys(sim, w, ["inductanceH", "maxCurrentA", "minCurrentA", "initialCurrentA", "maxPowerKw", "efficiency", "rampKwPerSecond"]);
                    smes = new SmesScenario
                    {
                        InductanceH = ctx.Number(sim, "inductanceH", w, null, 0.001, 1000),
                        MaxCurrentA = ctx.Number(sim, "maxCurrentA", w, null, 0.1, 6000),
                        MinCurrentA = ctx.Number(sim, "minCurrentA", w, 0, 0, 6000),
                        InitialCurrentA = ctx.Number(sim, "initialCurrentA", w, null, 0, 6000),
                        MaxPowerKw = ctx.Number(sim, "maxPowerKw", w, null, 0.01, 300),
                        Efficiency = ctx.Number(sim, "efficiency", w, 0.97, 0.01, 1),
                        RampKwPerSecond = ctx.Number(sim, "rampKwPerSecond", w, 50, 0.001, 100_000),
                    };
                    if (smes.MinCurrentA >= smes.MaxCurrentA) ctx.Problem(sim, w, "'minCurrentA' must be below 'maxCurrentA'");
                    else if (smes.InitialCurrentA < smes.MinCurrentA || smes.InitialCurrentA > smes.MaxCurrentA)
                        ctx.Problem(sim, w, $"'initialCurrentA' {smes.InitialCurrentA} is outside minCurrentA..maxCurrentA");
                    break;
                case DeviceKind.Meter:
                    ctx.UnknownKeys(sim, w, ["sums", "baseLoadKw"]);
                    var sums = new List<string>();
                    if (ctx.Child(sim, "sums") is YamlSequenceNode seq)
                        sums.AddRange(seq.Children.OfType<YamlScalarNode>().Select(s => s.Value ?? ""));
                    meter = new MeterScenario { Sums = sums, BaseLoadKw = ctx.Number(sim, "baseLoadKw", w, 0, -10_000, 10_000) };
                    break;
            }
        }
        if (ctx.Problems.Count > before) return null;
        return new RigDevice
        {
            Id = id, DeviceKind = kind, ParticipantId = participant, NodeId = feederNode, Protocol = protocol, Endpoint = endpoint,
            UnitId = (byte)unitId, Profile = profile, PollPeriod = TimeSpan.FromSeconds(poll), ReadOnly = readOnly, Ev = ev, Pv = pv, Smes = smes, Meter = meter,
        };
    }

    private static IrradianceProfile ParseIrradiance(Context ctx, YamlNode? node, string where, YamlNode parent)
    {
        if (node is not YamlMappingNode map) { ctx.Problem(parent, where, "'irradiance' is missing (clearSky or points)"); return new IrradianceProfile(); }
        ctx.UnknownKeys(map, where, ["clearSky", "points", "cloudiness", "cloudsSeed"]);
        var cloudiness = ctx.Number(map, "cloudiness", where, 0, 0, 1);
        var seed = (int)ctx.Number(map, "cloudsSeed", where, 0, int.MinValue, int.MaxValue);
        if (ctx.Child(map, "points") is YamlSequenceNode points)
        {
            var list = new List<(TimeSpan, double)>();
            foreach (var p in points.Children.OfType<YamlMappingNode>())
            {
                var at = ctx.TimeOfDay(p, "at", where) ?? TimeSpan.Zero;
                list.Add((at, ctx.Number(p, "wPerM2", where, null, 0, 2000)));
            }
            if (list.Count < 2) ctx.Problem(points, where, "'points' needs at least two { at, wPerM2 } entries");
            return new IrradianceProfile { Points = list.OrderBy(p => p.Item1).ToArray(), Cloudiness = cloudiness, CloudsSeed = seed };
        }
        if (ctx.Child(map, "clearSky") is YamlMappingNode sky)
        {
            ctx.UnknownKeys(sky, where + ".clearSky", ["peakWPerM2", "sunrise", "sunset"]);
            var profile = new IrradianceProfile
            {
                PeakWPerM2 = ctx.Number(sky, "peakWPerM2", where, 1000, 0, 1500),
                Sunrise = ctx.TimeOfDay(sky, "sunrise", where) ?? TimeSpan.FromHours(6),
                Sunset = ctx.TimeOfDay(sky, "sunset", where) ?? TimeSpan.FromHours(20),
                Cloudiness = cloudiness,
                CloudsSeed = seed,
            };
            if (profile.Sunset <= profile.Sunrise) ctx.Problem(sky, where, "'sunset' must be after 'sunrise'");
            return profile;
        }
        ctx.Problem(map, where, "give either 'clearSky' { peakWPerM2, sunrise, sunset } or 'points' [ { at, wPerM2 } ]");
        return new IrradianceProfile();
    }

    private static bool IsLoopbackEndpoint(string endpoint)
    {
        var colon = endpoint.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(endpoint[(colon + 1)..], out var port) || port is < 0 or > 65535) return false;
        var host = endpoint[..colon].Trim('[', ']');
        return host == "localhost" || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip));
    }

    private sealed class Context(string file, List<RigProblem> problems)
    {
        public List<RigProblem> Problems { get; } = problems;

        public void Problem(YamlNode node, string where, string message) =>
            Problems.Add(new RigProblem(file, where, (int)node.Start.Line, message));

        public YamlNode? Child(YamlMappingNode map, string key) =>
            map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

        public void UnknownKeys(YamlMappingNode map, string where, string[] known)
        {
            foreach (var key in map.Children.Keys.OfType<YamlScalarNode>())
                if (!known.Contains(key.Value))
                    Problem(key, where, $"unknown key '{key.Value}' (expected {string.Join(", ", known)})");
        }

        public string? String(YamlMappingNode map, string key, string where, bool required)
        {
            var node = Child(map, key);
            if (node is null) { if (required) Problem(map, where, $"'{key}' is missing"); return null; }
            if (node is YamlScalarNode { Value: { Length: > 0 } v }) return v;
            Problem(node, where, $"'{key}' must be a non-empty text");
            return null;
        }

        public double Number(YamlMappingNode map, string key, string where, double? fallback, double min, double max)
        {
            var node = Child(map, key);
            if (node is null)
            {
                if (fallback is null) Problem(map, where, $"'{key}' is missing");
                return fallback ?? 0;
            }
            if (node is YamlScalarNode { Value: { } text } && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value))
            {
                if (value >= min && value <= max) return value;
                Problem(node, where, $"'{key}' is {text}, must be within {min.ToString(CultureInfo.InvariantCulture)}..{max.ToString(CultureInfo.InvariantCulture)}");
                return fallback ?? min;
            }
            Problem(node, where, $"'{key}' must be a number");
            return fallback ?? 0;
        }

        // An ISO date-time, or a time of day (HH:mm) on the date of `day`.
        public DateTimeOffset? Time(YamlMappingNode map, string key, string where, DateTimeOffset? day)
        {
            var text = String(map, key, where, required: true);
            if (text is null) return null;
            if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at) && text.Contains('T'))
                return at;
            if (day is { } d && TimeSpan.TryParseExact(text, ["hh\\:mm", "hh\\:mm\\:ss"], CultureInfo.InvariantCulture, out var tod))
                return new DateTimeOffset(d.UtcDateTime.Date, TimeSpan.Zero) + tod;
            Problem(Child(map, key)!, where, $"'{key}' is '{text}', expected an ISO time like 2026-06-01T06:00:00Z{(day is null ? "" : " or a time of day like 07:30")}");
            return null;
        }

        public TimeSpan? TimeOfDay(YamlMappingNode map, string key, string where)
        {
            var text = String(map, key, where, required: true);
            if (text is null) return null;
            if (TimeSpan.TryParseExact(text, ["hh\\:mm", "hh\\:mm\\:ss"], CultureInfo.InvariantCulture, out var tod) && tod < TimeSpan.FromDays(1)) return tod;
            Problem(Child(map, key)!, where, $"'{key}' is '{text}', expected a time of day like 06:30");
            return null;
        }
    }
}
