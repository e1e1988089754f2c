using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Gateway.Market.DayAhead;

/// <summary>
/// Reads a day-ahead scenario YAML file (hil-rigs/energies2023/*.yaml). A file may say <c>extends: base.yaml</c> to
/// take every key it does not set from a base file (relative to it; the base may extend another, and a chain that
/// comes back to a file already in it is refused, naming the loop), and <c>users: {A: 80, ...}</c> to set the class
/// sizes. Every problem is reported at once with file, line, column, path and reason. Files are read through the
/// caller's function, so the market core stays free of I/O.
/// </summary>
public static class DayAheadScenarioLoader
{
    /// <summary>The model this loader builds; <c>model:</c> in a file must name it (or be left out).</summary>
    public const string ModelName = "energies2023";

    /// <summary>Most users one class may aggregate: the money of a class is a sum over its users, and beyond a million the per-kWh figures would be lost in rounding of class totals in the reports.</summary>
    public const int MaxUsersPerClass = 1_000_000;

    private static readonly string[] TopLevelKeys =
    [
        "extends", "model", "name", "users", "periodHours", "pv", "irradianceWPerM2", "temperatureK", "gridPricePerKwh",
        "companyPricePerKwh", "gridFeePerKwh", "platformFeePerKwh", "priceFloorPerKwh", "priceCeilingPerKwh",
        "sellerPricing", "storage", "rules", "classes",
    ];

    /// <summary>Loads <paramref name="path"/> and the chain of files it extends, reading each with <paramref name="readText"/> (which may throw <see cref="IOException"/> and the like; those become problems).</summary>
    public static DayAheadScenario Load(string path, Func<string, string> readText)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(readText);
        string text = Read(readText, path, path);
        return Parse(path, text, readText);
    }

    /// <summary>Parses scenario text; files named by <c>extends</c> are read with <paramref name="readText"/> (none may be named when it is null).</summary>
    public static DayAheadScenario Parse(string file, string text, Func<string, string>? readText = null)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(text);
        var sources = new List<(string File, YamlMappingNode Root)> { (file, ParseDocument(file, text)) };
        var chain = new List<string> { Path.GetFullPath(file) };
        while (sources[^1].Root.Children.TryGetValue(new YamlScalarNode("extends"), out var ext))
        {
            var (current, root) = sources[^1];
            if (ext is not YamlScalarNode { Value: { Length: > 0 } baseName } || string.IsNullOrWhiteSpace(baseName))
            {
                throw new ScenarioFileException([$"{current}:{ext.Start.Line}:{ext.Start.Column}: extends: expected the name of a base file"]);
            }
            string basePath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(current)) ?? ".", baseName);
            string full = Path.GetFullPath(basePath);
            int seen = chain.IndexOf(full);
            if (seen >= 0)
            {
                var loop = chain.Skip(seen).Append(full).Select(Path.GetFileName);
                throw new ScenarioFileException([$"{current}:{ext.Start.Line}:{ext.Start.Column}: extends: loop {string.Join(" → ", loop)} — a scenario cannot extend itself, directly or through its base files"]);
            }
            if (readText is null)
            {
                throw new ScenarioFileException([$"{current}: extends '{baseName}', but no base file can be read here"]);
            }
            chain.Add(full);
            sources.Add((basePath, ParseDocument(basePath, Read(readText, basePath, $"{current}: extends '{baseName}'"))));
        }
        return Build(file, sources);
    }

    private static string Read(Func<string, string> readText, string path, string what)
    {
        try
        {
            return readText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new ScenarioFileException([$"{what}: cannot read '{path}': {e.Message}"]);
        }
    }

    private static YamlMappingNode ParseDocument(string file, string text)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new ScenarioFileException([$"{file}:{e.Start.Line}:{e.Start.Column}: not valid YAML: {e.InnerException?.Message ?? e.Message}"]);
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new ScenarioFileException([$"{file}: expected a YAML mapping (key: value lines) at the top level"]);
        }
        return root;
    }

    private static DayAheadScenario Build(string file, List<(string File, YamlMappingNode Root)> sources)
    {
        var reader = new Reader(file);
        foreach (var (f, map) in sources)
        {
            reader.UnknownKeys(f, map, "", TopLevelKeys);
        }

        // First file that sets a key wins: the scenario overrides its base, which overrides its own base.
        (string File, YamlNode Node)? Find(string key)
        {
            foreach (var (f, map) in sources)
            {
                if (map.Children.TryGetValue(new YamlScalarNode(key), out var node))
                {
                    return (f, node);
                }
            }
            return null;
        }

        var at = new Func<string, (string File, YamlNode Node)?>(Find);
        string model = reader.String(at("model"), "model") ?? ModelName;
        if (model != ModelName)
        {
            var node = at("model")!.Value;
            reader.Problem(node.File, node.Node, "model", model == "welfare"
                ? "model 'welfare' (our own scalar-welfare model before issue 19) was removed; the paper's model is 'energies2023' (docs/day-ahead-model.md)"
                : $"unknown model '{model}' (expected {ModelName})");
        }
        string name = reader.String(at("name"), "name") ?? Path.GetFileNameWithoutExtension(file);
        double periodHours = reader.Number(at("periodHours"), "periodHours") ?? 1.0;
        var irradiance = reader.Series(at("irradianceWPerM2"), "irradianceWPerM2", null) ?? [];
        int periods = irradiance.Count;
        var temperature = reader.Series(at("temperatureK"), "temperatureK", periods) ?? [];
        var grid = reader.Series(at("gridPricePerKwh"), "gridPricePerKwh", periods) ?? [];
        var company = reader.Series(at("companyPricePerKwh"), "companyPricePerKwh", periods) ?? [];
        var gridFee = reader.Series(at("gridFeePerKwh"), "gridFeePerKwh", periods) ?? [];
        var platformFee = reader.Series(at("platformFeePerKwh"), "platformFeePerKwh", periods) ?? [];
        var floor = reader.Series(at("priceFloorPerKwh"), "priceFloorPerKwh", periods) ?? [];
        var ceiling = reader.Series(at("priceCeilingPerKwh"), "priceCeilingPerKwh", periods) ?? [];

        var pvMap = reader.Mapping(at("pv"), "pv", ["panelAreaM2", "referenceEfficiency", "temperatureCoefficientPerK", "referenceTemperatureK"]);
        var pv = new PvParameters(
            reader.Number(pvMap?.Child("panelAreaM2"), "pv.panelAreaM2") ?? 0,
            reader.Number(pvMap?.Child("referenceEfficiency"), "pv.referenceEfficiency") ?? 0,
            reader.Number(pvMap?.Child("temperatureCoefficientPerK"), "pv.temperatureCoefficientPerK") ?? 0,
            reader.Number(pvMap?.Child("referenceTemperatureK"), "pv.referenceTemperatureK") ?? 298);

        var spMap = reader.Mapping(at("sellerPricing"), "sellerPricing", ["pvLossCostPerKwh", "evLossCostPerKwh", "expectedProfitShare"]);
        var sellerPricing = new SellerPricing(
            reader.Number(spMap?.Child("pvLossCostPerKwh"), "sellerPricing.pvLossCostPerKwh") ?? 0,
            reader.Number(spMap?.Child("evLossCostPerKwh"), "sellerPricing.evLossCostPerKwh") ?? 0,
            reader.Number(spMap?.Child("expectedProfitShare"), "sellerPricing.expectedProfitShare") ?? 0);

        string[] storageKeys = ["minEnergyKwh", "maxEnergyKwh", "initialEnergyKwh", "maxChargePowerKw", "maxDischargePowerKw", "rentPerKwh", "chargeCostPerKwh", "dischargeCostPerKwh"];
        var stMap = reader.Mapping(at("storage"), "storage", storageKeys);
        var st = storageKeys.Select(k => reader.Number(stMap?.Child(k), "storage." + k) ?? 0).ToArray();
        var storage = new SharedStorageParameters(st[0], st[1], st[2], st[3], st[4], st[5], st[6], st[7]);

        var rMap = reader.Mapping(at("rules"), "rules", ["pricing", "ownUse", "endOfDayEnergy", "companyOnlyWhenCheaper", "maxIntolerableDeviation", "priceTickPerKwh"]);
        string pricingText = reader.String(rMap?.Child("pricing"), "rules.pricing") ?? "strategy";
        PricingMode pricing = PricingMode.Strategy;
        if (pricingText == "rule")
        {
            pricing = PricingMode.Rule;
        }
        else if (pricingText != "strategy" && rMap?.Child("pricing") is { } pn)
        {
            reader.Problem(pn.File, pn.Node, "rules.pricing", $"expected 'strategy' (prices are decisions within eqs. 3–6) or 'rule' (eqs. 8–9 with expectedProfitShare), got '{pricingText}'");
        }
        var rules = new DayAheadRules(
            pricing,
            reader.Bool(rMap?.Child("ownUse"), "rules.ownUse") ?? true,
            reader.Bool(rMap?.Child("endOfDayEnergy"), "rules.endOfDayEnergy") ?? false,
            reader.Bool(rMap?.Child("companyOnlyWhenCheaper"), "rules.companyOnlyWhenCheaper") ?? true,
            reader.Number(rMap?.Child("maxIntolerableDeviation"), "rules.maxIntolerableDeviation", required: false) ?? 1.0,
            reader.Number(rMap?.Child("priceTickPerKwh"), "rules.priceTickPerKwh", required: false) ?? 0.001);

        var users = reader.Mapping(at("users"), "users", null, required: false);
        var classes = reader.Classes(at("classes"), periods, users);

        if (reader.Problems.Count > 0)
        {
            throw new ScenarioFileException(reader.Problems);
        }

        var scenario = new DayAheadScenario(name, periodHours, classes, pv, irradiance, temperature, grid, company,
            gridFee, platformFee, floor, ceiling, sellerPricing, storage, rules);
        var modelProblems = DayAheadScenarioValidator.Validate(scenario);
        if (modelProblems.Count > 0)
        {
            throw new ScenarioFileException(modelProblems.Select(p => $"{reader.Locate(p.Path, at)}: {p.Path}: {p.Message}").ToList());
        }
        return scenario;
    }

    /// <summary>A mapping found in a file, so children keep knowing where they came from.</summary>
    private sealed record Located(string File, YamlMappingNode Map)
    {
        public (string File, YamlNode Node)? Child(string key) =>
            Map.Children.TryGetValue(new YamlScalarNode(key), out var node) ? (File, node) : null;
    }

    private sealed class Reader(string mainFile)
    {
        public List<string> Problems { get; } = [];

        private static string Where(string file, YamlNode node) => $"{file}:{node.Start.Line}:{node.Start.Column}";

        public void Problem(string file, YamlNode? node, string path, string message) =>
            Problems.Add(node is null ? $"{file}: {path}: {message}" : $"{Where(file, node)}: {path}: {message}");

        public string Locate(string path, Func<string, (string File, YamlNode Node)?> at)
        {
            string top = path.Split('.', '[')[0];
            return at(top) is { } found ? Where(found.File, found.Node) : mainFile;
        }

        public void UnknownKeys(string file, YamlMappingNode map, string prefix, IReadOnlyCollection<string> allowed)
        {
            foreach (var key in map.Children.Keys)
            {
                string k = (key as YamlScalarNode)?.Value ?? "?";
                if (!allowed.Contains(k))
                {
                    Problem(file, key, prefix + k, $"unknown key (expected one of: {string.Join(", ", allowed)})");
                }
            }
        }

        public string? String((string File, YamlNode Node)? found, string path)
        {
            if (found is not { } f)
            {
                return null;
            }
            if (f.Node is YamlScalarNode s && !string.IsNullOrWhiteSpace(s.Value))
            {
                return s.Value;
            }
            Problem(f.File, f.Node, path, "expected a text value");
            return null;
        }

        public double? Number((string File, YamlNode Node)? found, string path, bool required = true)
        {
            if (found is not { } f)
            {
                if (required)
                {
                    Problems.Add($"{mainFile}: {path}: missing (required)");
                }
                return null;
            }
            if (f.Node is YamlScalarNode s && double.TryParse(s.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && double.IsFinite(value))
            {
                return value;
            }
            Problem(f.File, f.Node, path, $"expected a number, got '{(f.Node as YamlScalarNode)?.Value ?? f.Node.NodeType.ToString()}'");
            return null;
        }

        public bool? Bool((string File, YamlNode Node)? found, string path)
        {
            if (found is not { } f)
            {
                return null;
            }
            if (f.Node is YamlScalarNode { Value: "true" or "false" } s)
            {
                return s.Value == "true";
            }
            Problem(f.File, f.Node, path, $"expected true or false, got '{(f.Node as YamlScalarNode)?.Value ?? f.Node.NodeType.ToString()}'");
            return null;
        }

        // A series is one number for every period or a list of exactly one number per period.
        public List<double>? Series((string File, YamlNode Node)? found, string path, int? periods)
        {
            if (found is not { } f)
            {
                Problems.Add($"{mainFile}: {path}: missing (required)");
                return null;
            }
            if (f.Node is YamlScalarNode && periods is int n)
            {
                return Number(f, path) is double single ? Enumerable.Repeat(single, n).ToList() : null;
            }
            if (f.Node is not YamlSequenceNode seq)
            {
                Problem(f.File, f.Node, path, periods is null ? "expected a list with one number per period" : "expected a number or a list with one number per period");
                return null;
            }
            if (periods is int expected && seq.Children.Count != expected)
            {
                Problem(f.File, f.Node, path, $"has {seq.Children.Count} entries but irradianceWPerM2 has {expected} periods");
                return null;
            }
            var values = new List<double>(seq.Children.Count);
            for (int i = 0; i < seq.Children.Count; i++)
            {
                values.Add(Number((f.File, seq.Children[i]), $"{path}[{i}]") ?? double.NaN);
            }
            return values;
        }

        public Located? Mapping((string File, YamlNode Node)? found, string path, string[]? keys, bool required = true)
        {
            if (found is not { } f)
            {
                if (required)
                {
                    Problems.Add($"{mainFile}: {path}: missing (required)");
                }
                return null;
            }
            if (f.Node is not YamlMappingNode map)
            {
                Problem(f.File, f.Node, path, "expected a mapping (key: value)");
                return null;
            }
            if (keys is not null)
            {
                UnknownKeys(f.File, map, path + ".", keys);
            }
            return new Located(f.File, map);
        }

        public List<UserClass> Classes((string File, YamlNode Node)? found, int periods, Located? users)
        {
            var result = new List<UserClass>();
            if (found is not { } f)
            {
                Problems.Add($"{mainFile}: classes: missing (required)");
                return result;
            }
            if (f.Node is not YamlSequenceNode seq)
            {
                Problem(f.File, f.Node, "classes", "expected a list of user classes");
                return result;
            }
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (int k = 0; k < seq.Children.Count; k++)
            {
                string path = $"classes[{k}]";
                var map = Mapping((f.File, seq.Children[k]), path, ["name", "description", "users", "chargingPowerKw", "charging", "ev", "trips"]);
                if (map is null)
                {
                    continue;
                }
                string name = String(map.Child("name"), path + ".name") ?? $"#{k}";
                seen.Add(name);
                string description = String(map.Child("description"), path + ".description") ?? "";
                var countNode = users?.Child(name) ?? map.Child("users");
                double? count = Number(countNode, countNode is null ? $"users.{name}" : (users?.Child(name) is null ? path + ".users" : $"users.{name}"));
                if (count is double c && (c != Math.Floor(c) || c < 0))
                {
                    Problem(countNode!.Value.File, countNode.Value.Node, $"users.{name}", $"expected a whole number of users ≥ 0, got {c}");
                }
                else if (count is double big && big > MaxUsersPerClass)
                {
                    Problem(countNode!.Value.File, countNode.Value.Node, $"users.{name}",
                        string.Create(CultureInfo.InvariantCulture, $"{big:0} users is more than the {MaxUsersPerClass:N0} one class may aggregate (the cap keeps class totals within the reports' precision; split the class)"));
                }
                double power = Number(map.Child("chargingPowerKw"), path + ".chargingPowerKw") ?? 0;
                var states = new List<bool>();
                if (map.Child("charging") is { } ch)
                {
                    if (ch.Node is YamlSequenceNode chSeq && chSeq.Children.Count == periods)
                    {
                        for (int t = 0; t < chSeq.Children.Count; t++)
                        {
                            var item = chSeq.Children[t] as YamlScalarNode;
                            if (item?.Value is "0" or "1")
                            {
                                states.Add(item.Value == "1");
                            }
                            else
                            {
                                Problem(ch.File, chSeq.Children[t], $"{path}.charging[{t}]", $"expected 0 (not charging) or 1 (charging), got '{item?.Value}'");
                            }
                        }
                    }
                    else
                    {
                        Problem(ch.File, ch.Node, path + ".charging", $"expected a list of {periods} values 0/1 (Table 1), got {(ch.Node as YamlSequenceNode)?.Children.Count.ToString(CultureInfo.InvariantCulture) ?? "no list"}");
                    }
                }
                else
                {
                    Problems.Add($"{map.File}: {path}.charging: missing (required)");
                }
                string[] evKeys = ["batteryKwh", "minSoc", "maxSoc", "initialSoc", "chargePowerKw", "v2gPowerKw"];
                var evMap = Mapping(map.Child("ev"), path + ".ev", evKeys);
                var evValues = evKeys.Select(key => Number(evMap?.Child(key), $"{path}.ev.{key}") ?? 0).ToArray();
                var ev = new EvParameters(evValues[0], evValues[1], evValues[2], evValues[3], evValues[4], evValues[5]);
                var away = Trips(map.Child("trips"), path + ".trips", periods);
                result.Add(new UserClass(name, description, (int)Math.Clamp(count ?? 0, 0, MaxUsersPerClass), power, states, ev, away));
            }
            if (users is not null)
            {
                foreach (var key in users.Map.Children.Keys)
                {
                    string k = (key as YamlScalarNode)?.Value ?? "?";
                    if (!seen.Contains(k))
                    {
                        Problem(users.File, key, $"users.{k}", $"no class named '{k}' (classes: {string.Join(", ", seen)})");
                    }
                }
            }
            return result;
        }

        // trips: [{departHour: 14, arriveHour: 16}] — away in the periods ending after departHour up to arriveHour.
        private bool[] Trips((string File, YamlNode Node)? found, string path, int periods)
        {
            var away = new bool[periods];
            if (found is not { } f)
            {
                return away;
            }
            if (f.Node is not YamlSequenceNode seq)
            {
                Problem(f.File, f.Node, path, "expected a list of {departHour, arriveHour} trips");
                return away;
            }
            for (int i = 0; i < seq.Children.Count; i++)
            {
                string tripPath = $"{path}[{i}]";
                var trip = Mapping((f.File, seq.Children[i]), tripPath, ["departHour", "arriveHour"]);
                double? depart = Number(trip?.Child("departHour"), tripPath + ".departHour");
                double? arrive = Number(trip?.Child("arriveHour"), tripPath + ".arriveHour");
                if (depart is not double d || arrive is not double a)
                {
                    continue;
                }
                if (d != Math.Floor(d) || a != Math.Floor(a) || d < 0 || a <= d || a > periods)
                {
                    Problem(f.File, seq.Children[i], tripPath, string.Create(CultureInfo.InvariantCulture, $"expected whole hours 0 ≤ departHour < arriveHour ≤ {periods}, got {d}–{a}"));
                    continue;
                }
                for (int t = (int)d; t < (int)a; t++)
                {
                    away[t] = true;
                }
            }
            return away;
        }
    }
}
