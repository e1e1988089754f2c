using System.Globalization;
using Gateway.Market.DayAhead;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Gateway.Host.Cli;

/// <summary>
/// Reads a day-ahead scenario YAML file (hil-rigs/energies2023/*.yaml). A file may say
/// <c>extends: base.yaml</c> to take every key it does not set from a base file (relative to it),
/// and <c>users: {A: 80, ...}</c> to set the class sizes. Every problem is reported at once with
/// file, line, column, path and reason.
/// </summary>
internal static class ScheduleScenarioLoader
{
    private static readonly string[] TopLevelKeys =
    [
        "extends", "name", "users", "periodHours", "pv", "irradianceWPerM2", "temperatureK", "gridPricePerKwh",
        "companyPricePerKwh", "gridFeePerKwh", "platformFeePerKwh", "priceFloorPerKwh", "priceCeilingPerKwh",
        "sellerPricing", "storage", "weights", "classes",
    ];

    /// <summary>Loads <paramref name="path"/> (and its base file, if any).</summary>
    public static async Task<DayAheadScenario> LoadAsync(string path, CancellationToken cancellationToken = default)
    {
        string text = await ReadAsync(path, path, cancellationToken).ConfigureAwait(false);
        var root = ParseDocument(path, text);
        string? baseName = root.Children.TryGetValue(new YamlScalarNode("extends"), out var ext) && ext is YamlScalarNode s ? s.Value : null;
        (string File, YamlMappingNode Root)? baseDoc = null;
        if (!string.IsNullOrWhiteSpace(baseName))
        {
            string basePath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".", baseName);
            string baseText = await ReadAsync(basePath, $"{path}: extends '{baseName}'", cancellationToken).ConfigureAwait(false);
            baseDoc = (basePath, ParseDocument(basePath, baseText));
        }
        return Build(path, root, baseDoc);
    }

    /// <summary>Parses scenario text; <paramref name="baseText"/> is the text of the file named by <c>extends</c>, if any.</summary>
    public static DayAheadScenario Parse(string file, string text, string? baseFile = null, string? baseText = null)
    {
        var root = ParseDocument(file, text);
        (string, YamlMappingNode)? baseDoc = baseText is null ? null : (baseFile ?? "base", ParseDocument(baseFile ?? "base", baseText));
        return Build(file, root, baseDoc);
    }

    private static async Task<string> ReadAsync(string path, string what, CancellationToken cancellationToken)
    {
        try
        {
            return await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new ScheduleScenarioException([$"{what}: cannot read '{path}': {e.Message}"]);
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
            throw new ScheduleScenarioException([$"{file}:{e.Start.Line}:{e.Start.Column}: not valid YAML: {e.InnerException?.Message ?? e.Message}"]);
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new ScheduleScenarioException([$"{file}: expected a YAML mapping (key: value lines) at the top level"]);
        }
        return root;
    }

    private static DayAheadScenario Build(string file, YamlMappingNode root, (string File, YamlMappingNode Root)? baseDoc)
    {
        var reader = new Reader(file);
        var sources = new List<(string File, YamlMappingNode Map)> { (file, root) };
        if (baseDoc is { } b)
        {
            sources.Add(b);
            reader.UnknownKeys(b.File, b.Root, "", TopLevelKeys);
        }
        reader.UnknownKeys(file, root, "", TopLevelKeys);

        // First file that sets a key wins: the scenario overrides its base.
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

        var wMap = reader.Mapping(at("weights"), "weights", ["satisfactionYuanPerKwh", "maxIntolerableDeviation"]);
        var weights = new ObjectiveWeights(
            reader.Number(wMap?.Child("satisfactionYuanPerKwh"), "weights.satisfactionYuanPerKwh") ?? 0,
            reader.Number(wMap?.Child("maxIntolerableDeviation"), "weights.maxIntolerableDeviation") ?? 1);

        var users = reader.Mapping(at("users"), "users", null, required: false);
        var classes = reader.Classes(at("classes"), periods, users);

        if (reader.Problems.Count > 0)
        {
            throw new ScheduleScenarioException(reader.Problems);
        }

        var scenario = new DayAheadScenario(name, periodHours, classes, pv, irradiance, temperature, grid, company,
            gridFee, platformFee, floor, ceiling, sellerPricing, storage, weights);
        var modelProblems = DayAheadScenarioValidator.Validate(scenario);
        if (modelProblems.Count > 0)
        {
            throw new ScheduleScenarioException(modelProblems.Select(p => $"{reader.Locate(p.Path, at)}: {p.Path}: {p.Message}").ToList());
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
                var map = Mapping((f.File, seq.Children[k]), path, ["name", "description", "users", "chargingPowerKw", "charging"]);
                if (map is null)
                {
                    continue;
                }
                string name = String(map.Child("name"), path + ".name") ?? $"#{k}";
                seen.Add(name);
                string description = String(map.Child("description"), path + ".description") ?? "";
                var countNode = users?.Child(name) ?? map.Child("users");
                double? count = Number(countNode, countNode is null ? $"users.{name}" : (users?.Child(name) is null ? path + ".users" : $"users.{name}"));
                if (count is double c && (c != Math.Floor(c) || c < 0 || c > 1_000_000))
                {
                    Problem(countNode!.Value.File, countNode.Value.Node, $"users.{name}", $"expected a whole number of users ≥ 0, got {c}");
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
                result.Add(new UserClass(name, description, (int)Math.Clamp(count ?? 0, 0, 1_000_000), power, states));
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
    }
}
