using YamlDotNet.RepresentationModel;

namespace Gateway.Rigs;

/// <summary>
/// The simulators' part of a rig, on top of the device fields every reader checks (<see cref="RigDeviceReader"/>): each
/// device's <c>sim:</c> block (physics and scenario), and what must hold across the simulated devices (no two serve the same
/// endpoint and unit, a meter sums devices of the rig). Inside a <c>sim:</c> block an unknown key is an error, so typos are caught.
/// </summary>
internal static class SimulatedPart
{
    /// <summary>What the simulator makes a device do: the one scenario of the device's kind.</summary>
    internal sealed record Scenario(EvScenario? Ev, PvScenario? Pv, SmesScenario? Smes, MeterScenario? Meter)
    {
        /// <summary>No scenario: a device of a rig the simulators do not run.</summary>
        public static Scenario None { get; } = new(null, null, null, null);

        /// <summary>The device with this scenario.</summary>
        public RigDevice On(RigDevice device) => device with { Ev = Ev, Pv = Pv, Smes = Smes, Meter = Meter };
    }

    /// <summary>
    /// Reads the <c>sim:</c> block of the device at <paramref name="path"/> for its <paramref name="kind"/> (null when the kind is
    /// wrong, then nothing is read); null when the block is missing or wrong (each problem goes to <paramref name="reader"/>).
    /// </summary>
    public static Scenario? ReadScenario(YamlFieldReader reader, YamlMappingNode device, string path, DeviceKind? kind, DateTimeOffset start)
    {
        if (kind is null) return null;
        if (YamlFieldReader.Child(device, "sim") is null)
        {
            reader.Problem(device, path + ".sim", "is missing: a simulated device needs its physics and scenario");
            return null;
        }
        if (reader.Mapping(device, "sim", path) is not { } sim) return null;
        var before = reader.Problems.Count;
        EvScenario? ev = null; PvScenario? pv = null; SmesScenario? smes = null; MeterScenario? meter = null;
        var w = path + ".sim";
        switch (kind)
        {
            case DeviceKind.Charger:
                reader.RejectUnknownKeys(sim, w, ["batteryKwh", "socAtArrivalPercent", "arrival", "departure", "targetSocPercent", "maxChargeKw", "maxDischargeKw", "chargeEfficiency", "dischargeEfficiency", "minSocPercent", "maxSocPercent", "rampKwPerSecond", "ocppVersion"]);
                var ocppVersionText = reader.String(sim, "ocppVersion", w, required: false);
                Gateway.Drivers.Ocpp.OcppVersion? ocppVersion = null;
                if (ocppVersionText is not null)
                {
                    if (Gateway.Drivers.Ocpp.OcppVersions.TryParse(ocppVersionText, out var parsedVersion)) ocppVersion = parsedVersion;
                    else reader.Problem(YamlFieldReader.Child(sim, "ocppVersion"), w + ".ocppVersion", $"'{ocppVersionText}': the simulated stations speak 2.1 or 2.0.1");
                }
                ev = new EvScenario
                {
                    BatteryKwh = Number(reader, sim, "batteryKwh", w, null, 0.1, 1000),
                    SocAtArrivalPercent = Number(reader, sim, "socAtArrivalPercent", w, null, 0, 100),
                    Arrival = reader.InstantOrTimeOfDay(sim, "arrival", w, start) ?? start,
                    Departure = reader.InstantOrTimeOfDay(sim, "departure", w, start) ?? start,
                    TargetSocPercent = Number(reader, sim, "targetSocPercent", w, 80, 0, 100),
                    MaxChargeKw = Number(reader, sim, "maxChargeKw", w, null, 0, 1000),
                    MaxDischargeKw = Number(reader, sim, "maxDischargeKw", w, null, 0, 1000),
                    ChargeEfficiency = Number(reader, sim, "chargeEfficiency", w, 0.95, 0.01, 1),
                    DischargeEfficiency = Number(reader, sim, "dischargeEfficiency", w, 0.95, 0.01, 1),
                    MinSocPercent = Number(reader, sim, "minSocPercent", w, 10, 0, 100),
                    MaxSocPercent = Number(reader, sim, "maxSocPercent", w, 100, 0, 100),
                    RampKwPerSecond = Number(reader, sim, "rampKwPerSecond", w, 2, 0.001, 100_000),
                    OcppVersion = ocppVersion,
                };
                if (ev.Departure <= ev.Arrival) reader.Problem(sim, w, "'departure' must be after 'arrival'");
                if (ev.MinSocPercent >= ev.MaxSocPercent) reader.Problem(sim, w, "'minSocPercent' must be below 'maxSocPercent'");
                break;
            case DeviceKind.PvInverter:
                reader.RejectUnknownKeys(sim, w, ["ratedKwp", "referenceEfficiency", "temperatureCoefficientPerK", "noctC", "ambientC", "ambientSwingC", "irradiance", "rampKwPerSecond", "initialEnergyKwh"]);
                pv = new PvScenario
                {
                    RatedKwp = Number(reader, sim, "ratedKwp", w, null, 0.01, 10_000),
                    ReferenceEfficiency = Number(reader, sim, "referenceEfficiency", w, 0.2, 0.01, 1),
                    TemperatureCoefficientPerK = Number(reader, sim, "temperatureCoefficientPerK", w, 0.0045, 0, 0.1),
                    NoctC = Number(reader, sim, "noctC", w, 45, 20, 100),
                    AmbientC = Number(reader, sim, "ambientC", w, 25, -50, 60),
                    AmbientSwingC = Number(reader, sim, "ambientSwingC", w, 0, 0, 30),
                    Irradiance = ReadIrradiance(reader, sim, w),
                    RampKwPerSecond = Number(reader, sim, "rampKwPerSecond", w, 5, 0.001, 100_000),
                    InitialEnergyKwh = Number(reader, sim, "initialEnergyKwh", w, 1000, 0.001, 4_000_000),
                };
                break;
            case DeviceKind.Smes:
                reader.RejectUnknownKeys(sim, w, ["inductanceH", "maxCurrentA", "minCurrentA", "initialCurrentA", "maxPowerKw", "efficiency", "rampKwPerSecond"]);
                smes = new SmesScenario
                {
                    InductanceH = Number(reader, sim, "inductanceH", w, null, 0.001, 1000),
                    MaxCurrentA = Number(reader, sim, "maxCurrentA", w, null, 0.1, 6000),
                    MinCurrentA = Number(reader, sim, "minCurrentA", w, 0, 0, 6000),
                    InitialCurrentA = Number(reader, sim, "initialCurrentA", w, null, 0, 6000),
                    MaxPowerKw = Number(reader, sim, "maxPowerKw", w, null, 0.01, 300),
                    Efficiency = Number(reader, sim, "efficiency", w, 0.97, 0.01, 1),
                    RampKwPerSecond = Number(reader, sim, "rampKwPerSecond", w, 50, 0.001, 100_000),
                };
                if (smes.MinCurrentA >= smes.MaxCurrentA) reader.Problem(sim, w, "'minCurrentA' must be below 'maxCurrentA'");
                else if (smes.InitialCurrentA < smes.MinCurrentA || smes.InitialCurrentA > smes.MaxCurrentA)
                    reader.Problem(sim, w, $"'initialCurrentA' {smes.InitialCurrentA} is outside minCurrentA..maxCurrentA");
                break;
            case DeviceKind.Meter:
                reader.RejectUnknownKeys(sim, w, ["sums", "baseLoadKw"]);
                var sums = new List<string>();
                foreach (var item in reader.Sequence(sim, "sums", w, required: false))
                {
                    if (item is YamlScalarNode { Value: { Length: > 0 } id }) sums.Add(id);
                    else reader.Problem(item, w + ".sums", "each entry is the id of a device the meter sums");
                }
                meter = new MeterScenario { Sums = sums, BaseLoadKw = Number(reader, sim, "baseLoadKw", w, 0, -10_000, 10_000) };
                break;
        }
        return reader.Problems.Count > before ? null : new Scenario(ev, pv, smes, meter);
    }

    /// <summary>
    /// What must hold across the simulated devices: no two serve one Modbus TCP endpoint and unit (port 0 is a free port each),
    /// and a meter sums only devices of the rig (any of <paramref name="ids"/>).
    /// </summary>
    public static void CheckAcrossDevices(YamlFieldReader reader, YamlMappingNode root, IReadOnlyList<(RigDevice Device, YamlMappingNode Node, string Path)> devices, IReadOnlySet<string> ids)
    {
        foreach (var clash in devices.Select(x => x.Device).Where(d => d.Protocol == "modbus-tcp").GroupBy(d => (d.Endpoint, d.UnitId))
                     .Where(g => g.Count() > 1 && !g.Key.Endpoint.EndsWith(":0", StringComparison.Ordinal)))
            reader.Problem(YamlFieldReader.Child(root, "devices"), "devices", $"devices {string.Join(", ", clash.Select(d => d.Id))} share endpoint {clash.Key.Endpoint} and unit {clash.Key.UnitId}");
        foreach (var (device, node, path) in devices.Where(x => x.Device.Meter is not null))
            foreach (var id in device.Meter!.Sums.Where(id => !ids.Contains(id)))
                reader.Problem(YamlFieldReader.Child(node, "sim") is YamlMappingNode sim ? YamlFieldReader.Child(sim, "sums") : node, path + ".sim.sums",
                    $"names '{id}', which is not a device of this rig");
    }

    // A scenario number: required when it has no fallback. A wrong one is reported and read as 0, the device is refused anyway.
    private static double Number(YamlFieldReader reader, YamlMappingNode map, string key, string path, double? fallback, double min, double max)
        => reader.Number(map, key, path, min, max, required: fallback is null, fallback: fallback) ?? 0;

    private static IrradianceProfile ReadIrradiance(YamlFieldReader reader, YamlMappingNode sim, string simPath)
    {
        var where = simPath + ".irradiance";
        if (YamlFieldReader.Child(sim, "irradiance") is null) { reader.Problem(sim, where, "is missing (clearSky or points)"); return new IrradianceProfile(); }
        if (reader.Mapping(sim, "irradiance", simPath) is not { } map) return new IrradianceProfile();
        reader.RejectUnknownKeys(map, where, ["clearSky", "points", "cloudiness", "cloudsSeed"]);
        var cloudiness = Number(reader, map, "cloudiness", where, 0, 0, 1);
        var seed = reader.Integer(map, "cloudsSeed", where, required: false, fallback: 0) ?? 0;
        if (YamlFieldReader.Child(map, "points") is { } points)
        {
            var list = new List<(TimeSpan, double)>();
            var items = reader.Sequence(map, "points", where);
            for (var i = 0; i < items.Count; i++)
            {
                var pp = $"{where}.points[{i}]";
                if (items[i] is not YamlMappingNode p) { reader.Problem(items[i], pp, "must be a mapping with at and wPerM2"); continue; }
                reader.RejectUnknownKeys(p, pp, "at", "wPerM2");
                list.Add((reader.TimeOfDay(p, "at", pp) ?? TimeSpan.Zero, Number(reader, p, "wPerM2", pp, null, 0, 2000)));
            }
            if (list.Count < 2) reader.Problem(points, where + ".points", "needs at least two { at, wPerM2 } entries");
            return new IrradianceProfile { Points = list.OrderBy(p => p.Item1).ToArray(), Cloudiness = cloudiness, CloudsSeed = seed };
        }
        if (reader.Mapping(map, "clearSky", where, required: false) is { } sky)
        {
            var sp = where + ".clearSky";
            reader.RejectUnknownKeys(sky, sp, ["peakWPerM2", "sunrise", "sunset"]);
            var profile = new IrradianceProfile
            {
                PeakWPerM2 = Number(reader, sky, "peakWPerM2", sp, 1000, 0, 1500),
                Sunrise = reader.TimeOfDay(sky, "sunrise", sp) ?? TimeSpan.FromHours(6),
                Sunset = reader.TimeOfDay(sky, "sunset", sp) ?? TimeSpan.FromHours(20),
                Cloudiness = cloudiness,
                CloudsSeed = seed,
            };
            if (profile.Sunset <= profile.Sunrise) reader.Problem(sky, sp, "'sunset' must be after 'sunrise'");
            return profile;
        }
        if (YamlFieldReader.Child(map, "clearSky") is null)
            reader.Problem(map, where, "give either 'clearSky' { peakWPerM2, sunrise, sunset } or 'points' [ { at, wPerM2 } ]");
        return new IrradianceProfile();
    }
}
