using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Gateway.Rigs;

/// <summary>
/// Reads a rig file once into one <see cref="RigDefinition"/>, for the gateway (<see cref="Load"/>: every section, checked
/// before it touches a device) or for the simulators (<see cref="LoadSimulated"/>: the site, its clock, its devices with their
/// <c>sim:</c> blocks and how they reach secured brokers). Both read the devices and the brokers with the same readers
/// (<see cref="RigDeviceReader"/>, <see cref="RigBrokerReader"/>), so a rig with <c>sim:</c> blocks the gateway accepts is one
/// the simulators accept. Every problem in the file is collected and reported together (file, YAML path, line, why) in one
/// <see cref="RigFileException"/>.
/// </summary>
public static class RigLoader
{
    private static readonly string[] LedgerKinds = ["embedded", "fabric"];

    /// <summary>
    /// A rig with a <c>sim:</c> block is run against device-sims, so the gateway reads it by the simulators' rules as well; a rig
    /// without one (real hardware, or devices the caller brings) is the gateway's alone.
    /// </summary>
    private static bool IsSimulated(YamlMappingNode root)
        => YamlFieldReader.Child(root, "devices") is YamlSequenceNode devices
           && devices.Children.OfType<YamlMappingNode>().Any(d => YamlFieldReader.Child(d, "sim") is not null);

    /// <summary>Load and check the rig at <paramref name="path"/> (a file, or a folder holding rig.yaml) for the gateway.</summary>
    /// <exception cref="RigFileException">Unreadable or invalid.</exception>
    public static RigDefinition Load(string path)
    {
        var file = FileOf(path);
        return Parse(ReadText(file), file);
    }

    /// <summary>Load and check the simulated side of the rig at <paramref name="path"/> (a file, or a folder holding rig.yaml).</summary>
    /// <exception cref="RigFileException">Unreadable or invalid.</exception>
    public static RigDefinition LoadSimulated(string path)
    {
        var file = FileOf(path);
        return ParseSimulated(ReadText(file), file);
    }

    // A rig folder stands for the rig.yaml in it.
    private static string FileOf(string path) => Directory.Exists(path) ? Path.Combine(path, "rig.yaml") : path;

    /// <summary>
    /// Check the simulated side of the rig text <paramref name="yaml"/> (site, start, timeScale, devices with their <c>sim:</c>
    /// blocks, brokers' <c>sims:</c>) by the same rules as <see cref="Parse"/>; the gateway's sections are left to it, and the
    /// rig returned has none (reaching one throws).
    /// </summary>
    /// <exception cref="RigFileException">Invalid.</exception>
    public static RigDefinition ParseSimulated(string yaml, string file)
    {
        var reader = new YamlFieldReader(file);
        var root = ReadRoot(yaml, file);
        var baseDir = BaseDirOf(file);
        var (site, start, timeScale) = ReadSiteAndClock(reader, root, simulated: true);
        var devices = RigDeviceReader.Read(reader, root, new RigDeviceRules(ForGateway: false, Simulated: true, start ?? default, baseDir, FeederNodes: null));
        var (_, simBrokers) = RigBrokerReader.Read(reader, root, baseDir, forGateway: false, simulated: true);
        if (reader.Problems.Count > 0 || site is null) throw Refused(reader, file);
        return new RigDefinition { SourceFile = file, SiteId = site, StartUtc = start, TimeScale = timeScale, Devices = devices, SimBrokers = simBrokers };
    }

    /// <summary>
    /// The site id and the plant clock: where it starts (required on a simulated rig, whose simulators run from it; a real bench
    /// runs on real time) and how fast it runs.
    /// </summary>
    private static (string? Site, DateTimeOffset? Start, double TimeScale) ReadSiteAndClock(YamlFieldReader reader, YamlMappingNode root, bool simulated)
    {
        var site = reader.String(root, "site", "");
        var start = simulated || YamlFieldReader.Child(root, "start") is not null ? reader.Instant(root, "start", "") : null;
        var timeScale = reader.Number(root, "timeScale", "", 0.001, 100_000, required: false, fallback: 1) ?? 1;
        return (site, start, timeScale);
    }

    private static string BaseDirOf(string file) => Path.GetDirectoryName(Path.GetFullPath(file)) ?? ".";

    // Every problem found, in file order.
    private static RigFileException Refused(YamlFieldReader reader, string file)
        => new(reader.Problems.Count > 0 ? reader.Problems.OrderBy(p => p.Line).ToList() : [new RigProblem(file, "", 0, "incomplete rig")]);

    private static string ReadText(string file)
    {
        if (!File.Exists(file))
            throw new RigFileException([new RigProblem(file, "", 0, "cannot read the rig file: file not found")]);
        try
        {
            return File.ReadAllText(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RigFileException([new RigProblem(file, "", 0, $"cannot read the rig file: {e.Message}")]);
        }
    }

    private static YamlMappingNode ReadRoot(string yaml, string file)
    {
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(yaml));
            if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode map)
                throw new RigFileException([new RigProblem(file, "", 1, "the file must hold one YAML mapping (site:, devices:, feeder:, market:, ...)")]);
            return map;
        }
        catch (YamlException e)
        {
            throw new RigFileException([new RigProblem(file, "", (int)e.Start.Line, "not valid YAML: " + e.Message)]);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet gives up on some malformed text with these instead of a YamlException (found by fuzzing).
            throw new RigFileException([new RigProblem(file, "", 0, "not valid YAML (the YAML reader gave up: " + e.Message + ")")]);
        }
    }

    /// <summary>Check the rig text <paramref name="yaml"/> for the gateway; <paramref name="file"/> names it in problems and anchors relative paths.</summary>
    /// <exception cref="RigFileException">Invalid.</exception>
    public static RigDefinition Parse(string yaml, string file)
    {
        var reader = new YamlFieldReader(file);
        var root = ReadRoot(yaml, file);

        var baseDir = BaseDirOf(file);
        var simulated = IsSimulated(root);
        RigNumberCheck.NoNonFiniteNumbers(reader, root);
        reader.RejectUnknownKeys(root, "", "site", "start", "timeScale", "devices", "feeder", "market", "ledger", "operator", "journal", "brokers", "safety", "ocpp");
        var (site, start, timeScale) = ReadSiteAndClock(reader, root, simulated);

        var feeder = ReadFeeder(reader, root);
        var nodeIds = feeder?.Nodes.Select(n => n.Id).ToHashSet(StringComparer.Ordinal);
        var devices = RigDeviceReader.Read(reader, root, new RigDeviceRules(ForGateway: true, simulated, start ?? default, baseDir, nodeIds));
        var market = ReadMarket(reader, root);
        var ledger = ReadLedger(reader, root, baseDir);
        var (brokers, simBrokers) = RigBrokerReader.Read(reader, root, baseDir, forGateway: true, simulated);
        if (OcppRigSection.Read(reader, root, baseDir) is { } ocpp) devices = OcppRigDevices.Attach(reader, root, devices, ocpp);
        var op = ReadOperator(reader, root, baseDir);
        var safety = RigLabHardware.ReadSafety(reader, root);
        RigLabHardware.CheckConflicts(reader, root, devices, safety);
        var journalPath = YamlFieldReader.Child(root, "journal") is YamlMappingNode journal
            ? Resolve(baseDir, reader.String(journal, "path", "journal") ?? "")
            : Path.Combine(Directory.GetCurrentDirectory(), ".gateway", $"{site ?? "site"}-journal.db");

        if (devices.Count(d => d.DeviceKind == DeviceKind.Smes) > 1)
            reader.Problem(root, "devices", "a site has at most one SMES unit");

        if (reader.Problems.Count > 0 || site is null || feeder is null || market is null || ledger is null || op is null)
            throw Refused(reader, file);

        return new RigDefinition
        {
            SourceFile = file, SiteId = site, StartUtc = start, TimeScale = timeScale, Devices = devices, SimBrokers = simBrokers,
            Feeder = feeder, Market = market, Ledger = ledger, Operator = op, JournalPath = journalPath, Brokers = brokers, Safety = safety,
        };
    }

    private static RigFeeder? ReadFeeder(YamlFieldReader reader, YamlMappingNode root)
    {
        var map = reader.Mapping(root, "feeder", "");
        if (map is null) return null;
        reader.RejectUnknownKeys(map, "feeder", "root", "nodes", "lines");
        var rootNode = reader.String(map, "root", "feeder");
        var nodes = new List<RigNode>();
        var nodeItems = reader.Sequence(map, "nodes", "feeder");
        for (var i = 0; i < nodeItems.Count; i++)
        {
            var path = $"feeder.nodes[{i}]";
            if (nodeItems[i] is not YamlMappingNode n) { reader.Problem(nodeItems[i], path, "must be a mapping with id and baseLoadKw"); continue; }
            reader.RejectUnknownKeys(n, path, "id", "baseLoadKw");
            var id = reader.String(n, "id", path);
            var load = reader.Number(n, "baseLoadKw", path, 0, 100_000, required: false, fallback: 0, unit: "kW");
            if (id is null || load is null) continue;
            if (nodes.Any(x => x.Id == id)) reader.Problem(n, path + ".id", $"node '{id}' is defined twice");
            else nodes.Add(new RigNode(id, load.Value));
        }
        var ids = nodes.Select(n => n.Id).ToHashSet(StringComparer.Ordinal);
        if (rootNode is not null && !ids.Contains(rootNode))
            reader.Problem(YamlFieldReader.Child(map, "root"), "feeder.root", $"'{rootNode}' is not a node of the feeder");

        var lines = new List<RigLine>();
        var lineItems = reader.Sequence(map, "lines", "feeder");
        for (var i = 0; i < lineItems.Count; i++)
        {
            var path = $"feeder.lines[{i}]";
            if (lineItems[i] is not YamlMappingNode l) { reader.Problem(lineItems[i], path, "must be a mapping with id, from, to and limitKw"); continue; }
            reader.RejectUnknownKeys(l, path, "id", "from", "to", "limitKw");
            var id = reader.String(l, "id", path);
            var from = reader.String(l, "from", path);
            var to = reader.String(l, "to", path);
            var limit = reader.Number(l, "limitKw", path, 0.001, 1_000_000, unit: "kW");
            if (from is not null && !ids.Contains(from)) reader.Problem(YamlFieldReader.Child(l, "from"), path + ".from", $"'{from}' is not a node of the feeder");
            if (to is not null && !ids.Contains(to)) reader.Problem(YamlFieldReader.Child(l, "to"), path + ".to", $"'{to}' is not a node of the feeder");
            if (id is null || from is null || to is null || limit is null) continue;
            if (lines.Any(x => x.Id == id)) reader.Problem(l, path + ".id", $"line '{id}' is defined twice");
            else if (lines.Any(x => x.ToNodeId == to)) reader.Problem(l, path + ".to", $"node '{to}' already has an upstream line: the feeder must be radial");
            else lines.Add(new RigLine(id, from, to, limit.Value));
        }

        if (rootNode is not null && ids.Contains(rootNode) && reader.Problems.Count == 0)
        {
            // Radial and connected: every node but the root reaches the root through its upstream lines.
            var upstream = lines.ToDictionary(l => l.ToNodeId, l => l.FromNodeId, StringComparer.Ordinal);
            foreach (var node in nodes.Where(n => n.Id != rootNode))
            {
                var seen = new HashSet<string>(StringComparer.Ordinal);
                var at = node.Id;
                while (at != rootNode && upstream.TryGetValue(at, out var up) && seen.Add(at)) at = up;
                if (at != rootNode)
                    reader.Problem(map, "feeder.lines", $"node '{node.Id}' is not connected to the root '{rootNode}' (or sits on a loop)");
            }
            if (upstream.ContainsKey(rootNode))
                reader.Problem(map, "feeder.lines", $"the root '{rootNode}' cannot have an upstream line");
        }
        return rootNode is null ? null : new RigFeeder(rootNode, nodes, lines);
    }

    private static RigMarket? ReadMarket(YamlFieldReader reader, YamlMappingNode root)
    {
        var map = reader.Mapping(root, "market", "");
        if (map is null) return null;
        const string p = "market";
        reader.RejectUnknownKeys(map, p, "intervalMinutes", "rounds", "currency", "gridPrices", "feedInPricePerKwh", "smes", "maxSellersPerBuyer", "maxBuyersPerSeller", "economics", "setpointToleranceKw", "readBackSeconds", "rules");
        var interval = reader.Number(map, "intervalMinutes", p, 1, 1440, unit: "min");
        var rounds = reader.Integer(map, "rounds", p, 1, 100_000, required: false);
        var currency = reader.String(map, "currency", p, required: false) ?? "CNY";
        var feedIn = reader.Number(map, "feedInPricePerKwh", p, 0, 100);
        var smes = reader.Boolean(map, "smes", p, required: false, fallback: true);
        var maxSellers = reader.Integer(map, "maxSellersPerBuyer", p, 1, 1000, required: false, fallback: 2);
        var maxBuyers = reader.Integer(map, "maxBuyersPerSeller", p, 1, 1000, required: false, fallback: 3);
        var tolerance = reader.Number(map, "setpointToleranceKw", p, 0, 100, required: false, fallback: 0.2, unit: "kW");
        var readBack = reader.Number(map, "readBackSeconds", p, 0.1, 600, required: false, fallback: 10, unit: "s");

        var bands = new List<TouBand>();
        var items = reader.Sequence(map, "gridPrices", p);
        for (var i = 0; i < items.Count; i++)
        {
            var path = $"{p}.gridPrices[{i}]";
            if (items[i] is not YamlMappingNode b) { reader.Problem(items[i], path, "must be a mapping with from and pricePerKwh"); continue; }
            reader.RejectUnknownKeys(b, path, "from", "pricePerKwh");
            var fromText = reader.String(b, "from", path);
            var price = reader.Number(b, "pricePerKwh", path, 0, 100);
            if (fromText is null || price is null) continue;
            if (!TimeOnly.TryParseExact(fromText, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var from))
            {
                reader.Problem(YamlFieldReader.Child(b, "from"), path + ".from", $"'{fromText}' is not a time of day HH:mm");
                continue;
            }
            if (bands.Count > 0 && from <= bands[^1].From)
                reader.Problem(b, path + ".from", "bands must be in increasing time order");
            bands.Add(new TouBand(from, price.Value));
        }
        if (items.Count > 0 && bands.Count > 0 && bands[0].From != TimeOnly.MinValue)
            reader.Problem(items[0], $"{p}.gridPrices[0].from", "the first band must start at 00:00");

        var econ = reader.Mapping(map, "economics", p, required: false);
        RigEconomics? economics = new(0.5, 0.95, 0.15, 2, 0.05, 0.1, 0.05);
        if (econ is not null)
        {
            const string e = "market.economics";
            reader.RejectUnknownKeys(econ, e, "evChargingPricePerKwh", "transferEfficiency", "evConsumptionKwhPerKm", "distanceToChargerKm", "batteryDegradationPerKwh", "pvOperatingCostPerKwh", "smesOperatingCostPerKwh", "batteryWearPerTrade");
            var p0 = reader.Number(econ, "evChargingPricePerKwh", e, 0, 100, required: false, fallback: economics.EvChargingPricePerKwh);
            var eta = reader.Number(econ, "transferEfficiency", e, 0.5, 1, required: false, fallback: economics.TransferEfficiency);
            var lambda = reader.Number(econ, "evConsumptionKwhPerKm", e, 0, 2, required: false, fallback: economics.EvConsumptionKwhPerKm);
            var dist = reader.Number(econ, "distanceToChargerKm", e, 0, 1000, required: false, fallback: economics.DistanceToChargerKm);
            var degradation = reader.Number(econ, "batteryDegradationPerKwh", e, 0, 10, required: false, fallback: economics.BatteryDegradationPerKwh);
            var kpv = reader.Number(econ, "pvOperatingCostPerKwh", e, 0, 10, required: false, fallback: economics.PvOperatingCostPerKwh);
            var ksm = reader.Number(econ, "smesOperatingCostPerKwh", e, 0, 10, required: false, fallback: economics.SmesOperatingCostPerKwh);
            var wear = reader.Number(econ, "batteryWearPerTrade", e, 0, 1000, required: false, fallback: 0);
            economics = p0 is null || eta is null || lambda is null || dist is null || degradation is null || kpv is null || ksm is null || wear is null
                ? null
                : new RigEconomics(p0.Value, eta.Value, lambda.Value, dist.Value, degradation.Value, kpv.Value, ksm.Value, wear.Value);
        }

        var rules = Gateway.Market.Model.MarketRules.Paper;
        if (reader.Mapping(map, "rules", p, required: false) is { } r)
        {
            const string rp = "market.rules";
            reader.RejectUnknownKeys(r, rp, "execution", "buyerTravelPrice", "travelCost", "smesSettlement");
            void Fail(string path, string message) => reader.Problem(r, path, message);
            rules = Gateway.Market.Contracts.RoundJson.ToRules(new Gateway.Market.Contracts.RulesDocument
            {
                Execution = reader.String(r, "execution", rp, required: false),
                BuyerTravelPrice = reader.String(r, "buyerTravelPrice", rp, required: false),
                TravelCost = reader.String(r, "travelCost", rp, required: false),
                SmesSettlement = reader.String(r, "smesSettlement", rp, required: false),
            }, (path, message) => Fail("market." + path, message));
        }

        if (interval is null || feedIn is null || smes is null || maxSellers is null || maxBuyers is null || tolerance is null || readBack is null || economics is null || bands.Count == 0)
            return null;
        return new RigMarket(TimeSpan.FromMinutes(interval.Value), rounds, currency, bands, feedIn.Value, smes.Value, maxSellers.Value, maxBuyers.Value, economics, tolerance.Value, TimeSpan.FromSeconds(readBack.Value), rules);
    }

    private static RigLedger? ReadLedger(YamlFieldReader reader, YamlMappingNode root, string baseDir)
    {
        var map = reader.Mapping(root, "ledger", "", required: false);
        var defaultPath = Path.Combine(Directory.GetCurrentDirectory(), ".gateway", "ledger.db");
        if (map is null) return new RigLedger("embedded", defaultPath, null);
        reader.RejectUnknownKeys(map, "ledger", "kind", "path", "fabric");
        var kind = reader.Choice(map, "kind", "ledger", LedgerKinds, required: false, fallback: "embedded");
        var path = reader.String(map, "path", "ledger", required: false);
        RigFabric? fabric = null;
        if (kind == "fabric")
        {
            var f = reader.Mapping(map, "fabric", "ledger");
            if (f is not null)
            {
                const string fp = "ledger.fabric";
                reader.RejectUnknownKeys(f, fp, "peer", "tlsCa", "channel", "chaincode", "mspId", "certificate", "privateKey", "matching", "electricity", "roundsInFlight");
                var peer = reader.String(f, "peer", fp);
                var ca = ExpandVariables(reader, f, "tlsCa", fp);
                var channel = reader.String(f, "channel", fp);
                var chaincode = reader.String(f, "chaincode", fp);
                var msp = reader.String(f, "mspId", fp);
                var cert = ExpandVariables(reader, f, "certificate", fp);
                var key = ExpandVariables(reader, f, "privateKey", fp);
                var inFlight = reader.Number(f, "roundsInFlight", fp, 1, 1000, required: false, fallback: 16);
                if (peer is not null && !Uri.TryCreate(peer, UriKind.Absolute, out _))
                    reader.Problem(YamlFieldReader.Child(f, "peer"), fp + ".peer", $"'{peer}' is not a URL such as https://peer0.org1:7051");
                foreach (var (key2, value) in new[] { ("tlsCa", ca), ("certificate", cert), ("privateKey", key) })
                {
                    if (value is not null && !File.Exists(Resolve(baseDir, value)))
                        reader.Problem(YamlFieldReader.Child(f, key2), $"{fp}.{key2}", $"file '{value}' not found");
                }
                RigFabricChannel? SideChain(string name)
                {
                    var side = reader.Mapping(f, name, fp, required: false);
                    if (side is null) return null;
                    reader.RejectUnknownKeys(side, $"{fp}.{name}", "channel", "chaincode");
                    var sideChannel = reader.String(side, "channel", $"{fp}.{name}");
                    var sideChaincode = reader.String(side, "chaincode", $"{fp}.{name}");
                    return sideChannel is null || sideChaincode is null ? null : new RigFabricChannel(sideChannel, sideChaincode);
                }
                var matching = SideChain("matching");
                var electricity = SideChain("electricity");
                if (peer is not null && ca is not null && channel is not null && chaincode is not null && msp is not null && cert is not null && key is not null && inFlight is not null)
                    fabric = new RigFabric(peer, Resolve(baseDir, ca), channel, chaincode, msp, Resolve(baseDir, cert), Resolve(baseDir, key))
                    {
                        Matching = matching,
                        Electricity = electricity,
                        RoundsInFlight = (int)inFlight.Value,
                    };
            }
        }
        return kind is null ? null : new RigLedger(kind, path is null ? defaultPath : Resolve(baseDir, path), fabric);
    }

    private static RigOperator? ReadOperator(YamlFieldReader reader, YamlMappingNode root, string baseDir)
    {
        var map = reader.Mapping(root, "operator", "", required: false);
        if (map is null) return new RigOperator(null, null, false, TimeSpan.FromMinutes(5));
        const string p = "operator";
        reader.RejectUnknownKeys(map, p, "dashboard", "dashboardTls", "dashboardHosts", "mqtt", "requireAck", "ackDeadlineSeconds", "auth", "mqttAckUsers");
        var dashboard = reader.String(map, "dashboard", p, required: false);
        var mqtt = reader.String(map, "mqtt", p, required: false);
        var requireAck = reader.Boolean(map, "requireAck", p, required: false, fallback: false);
        var deadline = reader.Number(map, "ackDeadlineSeconds", p, 1, 86_400, required: false, fallback: 300, unit: "s");
        if (dashboard is not null && !IsHostPort(dashboard)) reader.Problem(YamlFieldReader.Child(map, "dashboard"), "operator.dashboard", $"'{dashboard}' is not host:port");
        if (mqtt is not null && !Gateway.Drivers.Devices.Mqtt.MqttBrokerAddress.TryParse(mqtt.Contains("://", StringComparison.Ordinal) ? mqtt : "mqtt://" + mqtt, out _, out var mqttError))
            reader.Problem(YamlFieldReader.Child(map, "mqtt"), "operator.mqtt", mqttError);

        RigTlsFiles? tls = null;
        if (reader.Mapping(map, "dashboardTls", p, required: false) is { } t)
        {
            const string tp = "operator.dashboardTls";
            reader.RejectUnknownKeys(t, tp, "certificate", "key");
            var cert = reader.String(t, "certificate", tp);
            var key = reader.String(t, "key", tp);
            foreach (var (k, v) in new[] { ("certificate", cert), ("key", key) })
                if (v is not null && !File.Exists(Resolve(baseDir, v))) reader.Problem(YamlFieldReader.Child(t, k), $"{tp}.{k}", $"file '{v}' not found");
            if (cert is not null && key is not null) tls = new RigTlsFiles(Resolve(baseDir, cert), Resolve(baseDir, key));
        }
        var hosts = new List<string>();
        foreach (var h in reader.Sequence(map, "dashboardHosts", p, required: false))
        {
            if (h is YamlScalarNode { Value: { Length: > 0 } name } && Uri.CheckHostName(name) != UriHostNameType.Unknown) hosts.Add(name);
            else reader.Problem(h, "operator.dashboardHosts", "each entry must be a host name or address");
        }

        var problems = new List<string>();
        var tokenHashes = new List<(string, string)>();
        var users = new List<(string, string)>();
        string? tokensEnv = null, usersEnv = null;
        var authNode = reader.Mapping(map, "auth", p, required: false);
        if (authNode is not null)
        {
            const string ap = "operator.auth";
            reader.RejectUnknownKeys(authNode, ap, "tokens", "tokensEnv", "users", "usersEnv");
            tokensEnv = reader.String(authNode, "tokensEnv", ap, required: false);
            usersEnv = reader.String(authNode, "usersEnv", ap, required: false);
            var items = reader.Sequence(authNode, "tokens", ap, required: false);
            for (var i = 0; i < items.Count; i++)
            {
                var ip = $"{ap}.tokens[{i}]";
                if (items[i] is not YamlMappingNode e) { reader.Problem(items[i], ip, "must be a mapping with operator and sha256"); continue; }
                reader.RejectUnknownKeys(e, ip, "operator", "sha256");
                var op = reader.String(e, "operator", ip);
                var hash = reader.String(e, "sha256", ip);
                if (op is not null && hash is not null) tokenHashes.Add((op, "sha256:" + hash.Replace("sha256:", "", StringComparison.Ordinal)));
            }
            items = reader.Sequence(authNode, "users", ap, required: false);
            for (var i = 0; i < items.Count; i++)
            {
                var ip = $"{ap}.users[{i}]";
                if (items[i] is not YamlMappingNode e) { reader.Problem(items[i], ip, "must be a mapping with name and passwordHash"); continue; }
                reader.RejectUnknownKeys(e, ip, "name", "passwordHash");
                var name = reader.String(e, "name", ip);
                var hash = reader.String(e, "passwordHash", ip);
                if (name is not null && hash is not null) users.Add((name, hash));
            }
        }
        var credentials = OperatorCredentials.Create(tokenHashes, users, tokensEnv, usersEnv, Environment.GetEnvironmentVariable, problems);
        foreach (var problem in problems) reader.Problem(authNode, "operator.auth", problem);

        var ackUsers = new Dictionary<string, string>(StringComparer.Ordinal);
        if (reader.Mapping(map, "mqttAckUsers", p, required: false) is { } au)
        {
            foreach (var (k, v) in au.Children)
            {
                if (k is YamlScalarNode { Value: { Length: > 0 } user } && v is YamlScalarNode { Value: { Length: > 0 } name }) ackUsers[user] = name;
                else reader.Problem(k, "operator.mqttAckUsers", "each entry maps a broker user name to an operator name");
            }
        }

        if (dashboard is not null && IsHostPort(dashboard))
        {
            var loopback = IsLoopbackHost(dashboard[..dashboard.LastIndexOf(':')]);
            if (!loopback && tls is null)
                reader.Problem(YamlFieldReader.Child(map, "dashboard"), "operator.dashboard",
                    $"'{dashboard}' is not a loopback address: a dashboard reachable from the network needs HTTPS (operator.dashboardTls with certificate and key) and operator.auth");
            else if (!loopback && !credentials.Any)
                reader.Problem(YamlFieldReader.Child(map, "dashboard"), "operator.dashboard", $"'{dashboard}' is not a loopback address: it needs operator.auth (tokens or users)");
        }
        if (requireAck == true && !credentials.Any && ackUsers.Count == 0)
            reader.Problem(YamlFieldReader.Child(map, "requireAck"), "operator.requireAck",
                "requireAck needs someone who can acknowledge: operator.auth (dashboard tokens or users) or operator.mqttAckUsers (broker users)");
        if (ackUsers.Count > 0 && mqtt is null)
            reader.Problem(YamlFieldReader.Child(map, "mqttAckUsers"), "operator.mqttAckUsers", "needs operator.mqtt (the broker the acknowledgements come through)");

        return requireAck is null || deadline is null ? null : new RigOperator(dashboard, mqtt, requireAck.Value, TimeSpan.FromSeconds(deadline.Value))
        {
            DashboardTls = tls, DashboardHosts = hosts, Credentials = credentials, MqttAckUsers = ackUsers,
        };
    }

    /// <summary>localhost (as written: the simulators and the dashboard resolve that name only), or an IPv4 or IPv6 loopback address (brackets allowed).</summary>
    internal static bool IsLoopbackHost(string host)
    {
        host = host.Trim('[', ']');
        return host == "localhost" || (System.Net.IPAddress.TryParse(host, out var ip) && System.Net.IPAddress.IsLoopback(ip));
    }

    /// <summary>HOST:PORT with a port 0–65535.</summary>
    internal static bool IsHostPort(string text)
    {
        var colon = text.LastIndexOf(':');
        return colon > 0 && int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 0 and <= 65535;
    }

    /// <summary>
    /// A file path that may name environment variables as ${NAME} (a lab network's work folder, a site box's key store);
    /// an unset variable is a problem naming it.
    /// </summary>
    private static string? ExpandVariables(YamlFieldReader reader, YamlMappingNode map, string key, string context)
    {
        var value = reader.String(map, key, context);
        if (value is null) return null;
        var missing = new List<string>();
        var expanded = System.Text.RegularExpressions.Regex.Replace(value, @"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", m =>
        {
            var variable = Environment.GetEnvironmentVariable(m.Groups[1].Value);
            if (string.IsNullOrEmpty(variable)) missing.Add(m.Groups[1].Value);
            return variable ?? "";
        });
        if (missing.Count > 0)
        {
            reader.Problem(YamlFieldReader.Child(map, key), $"{context}.{key}", $"'{value}' uses the environment variable {string.Join(", ", missing)}, which is not set");
            return null;
        }
        return expanded;
    }

    /// <summary>A path as written in the rig, relative to the rig's folder unless rooted.</summary>
    internal static string Resolve(string baseDir, string path) => Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(baseDir, path));

    /// <summary>The first line of an error message, for a problem that fits on one line.</summary>
    internal static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();
}
