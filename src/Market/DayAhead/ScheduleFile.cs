using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Gateway.Market.DayAhead;

/// <summary>
/// A schedule as data anyone can re-check: every flow per period, class and source/sink, the prices, the EV energies,
/// storage accounts and levels, and who made it. JSON carries the whole scenario beside the schedule, so it checks on
/// its own; CSV (one row per period and class) names its scenario file in a <c># scenario:</c> header line. Numbers
/// are written round-trip exact, so a re-check sees exactly what the solver returned.
/// </summary>
public static class ScheduleFile
{
    /// <summary>The format tag both files carry.</summary>
    public const string Format = "gateway-dayahead-schedule/1";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        NumberHandling = JsonNumberHandling.Strict,
    };

    private static readonly string[] RoleColumns = ["period", "class", "role", "sellerPricePerKwh", "buyerPricePerKwh"];

    private static readonly string[] StateColumns = ["usesCompany", "evEnergyKwh", "accountKwh", "storageEnergyKwh"];

    /// <summary>The JSON document of <paramref name="schedule"/>.</summary>
    public static string ToJson(DayAheadMarket market, DayAheadSchedule schedule, ScheduleFileHeader header)
    {
        ArgumentNullException.ThrowIfNull(market);
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(header);
        var outcome = DayAheadEconomics.Evaluate(market, schedule);
        var periods = new JsonArray();
        for (int t = 0; t < schedule.PeriodCount; t++)
        {
            var classes = new JsonArray();
            for (int k = 0; k < schedule.ClassCount; k++)
            {
                var f = schedule[t, k];
                var row = new JsonObject
                {
                    ["class"] = market.Scenario.Classes[k].Name,
                    ["role"] = market.IsBuyer(t, k) ? "buyer" : "seller",
                };
                foreach (var (name, value) in f.Energies())
                {
                    row[Camel(name)] = value;
                }
                row["usesCompany"] = f.UsesCompany;
                row["evEnergyKwh"] = schedule.EvEnergyKwh(t, k);
                row["accountKwh"] = schedule.AccountKwh(t, k);
                classes.Add(row);
            }
            periods.Add(new JsonObject
            {
                ["period"] = t + 1,
                ["sellerPricePerKwh"] = schedule.Prices[t].SellerPricePerKwh,
                ["buyerPricePerKwh"] = schedule.Prices[t].BuyerPricePerKwh,
                ["storageEnergyKwh"] = schedule.StorageEnergyKwh[t],
                ["classes"] = classes,
            });
        }
        var root = new JsonObject
        {
            ["format"] = Format,
            ["model"] = DayAheadScenarioLoader.ModelName,
            ["solver"] = header.Solver,
            ["seed"] = header.Seed,
            ["iterations"] = header.Iterations,
            ["population"] = header.Population,
            ["scenarioFile"] = header.ScenarioFile,
            ["objective"] = outcome.Objective,
            ["sellerRevenue"] = outcome.SellerRevenue,
            ["buyerCost"] = outcome.BuyerCost,
            ["buyerIndirectIncome"] = outcome.BuyerIndirectIncome,
            ["storageRent"] = outcome.StorageRent,
            ["scenario"] = JsonSerializer.SerializeToNode(market.Scenario, Json),
            ["periods"] = periods,
        };
        return root.ToJsonString(Json);
    }

    /// <summary>The CSV document of <paramref name="schedule"/>: header lines starting with <c>#</c>, then one row per period and class.</summary>
    public static string ToCsv(DayAheadMarket market, DayAheadSchedule schedule, ScheduleFileHeader header)
    {
        ArgumentNullException.ThrowIfNull(market);
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(header);
        var outcome = DayAheadEconomics.Evaluate(market, schedule);
        var sb = new StringBuilder();
        sb.Append("# format: ").AppendLine(Format);
        sb.Append("# model: ").AppendLine(DayAheadScenarioLoader.ModelName);
        sb.Append("# scenario: ").AppendLine(header.ScenarioFile ?? "");
        sb.Append("# solver: ").AppendLine(header.Solver);
        sb.Append("# seed: ").AppendLine(header.Seed?.ToString(CultureInfo.InvariantCulture) ?? "");
        sb.Append("# objective: ").AppendLine(R(outcome.Objective));
        var energyColumns = default(ClassPeriodFlows).Energies().Select(e => Camel(e.Name)).ToArray();
        sb.AppendLine(string.Join(",", RoleColumns.Concat(energyColumns).Concat(StateColumns)));
        for (int t = 0; t < schedule.PeriodCount; t++)
        {
            for (int k = 0; k < schedule.ClassCount; k++)
            {
                var f = schedule[t, k];
                var cells = new List<string>
                {
                    (t + 1).ToString(CultureInfo.InvariantCulture), market.Scenario.Classes[k].Name, market.IsBuyer(t, k) ? "buyer" : "seller",
                    R(schedule.Prices[t].SellerPricePerKwh), R(schedule.Prices[t].BuyerPricePerKwh),
                };
                cells.AddRange(f.Energies().Select(e => R(e.Value)));
                cells.AddRange([f.UsesCompany ? "1" : "0", R(schedule.EvEnergyKwh(t, k)), R(schedule.AccountKwh(t, k)), R(schedule.StorageEnergyKwh[t])]);
                sb.AppendLine(string.Join(",", cells));
            }
        }
        return sb.ToString();
    }

    /// <summary>Reads a JSON schedule file; the scenario comes from the file. Throws <see cref="ScheduleFileException"/> naming what is wrong.</summary>
    public static ScheduleFileContent ReadJson(string file, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(text);
        }
        catch (JsonException e)
        {
            throw new ScheduleFileException($"{file}: not valid JSON: {e.Message}");
        }
        if (root is not JsonObject obj || (string?)Get<string>(obj, "format", file) != Format)
        {
            throw new ScheduleFileException($"{file}: not a day-ahead schedule (expected \"format\": \"{Format}\")");
        }
        DayAheadScenario? scenario;
        try
        {
            scenario = obj["scenario"]?.Deserialize<DayAheadScenario>(Json);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or ArgumentException)
        {
            throw new ScheduleFileException($"{file}: scenario: {e.Message}");
        }
        if (scenario is null)
        {
            throw new ScheduleFileException($"{file}: scenario: missing");
        }
        DayAheadMarket market;
        try
        {
            market = DayAheadMarket.Create(scenario);
        }
        catch (ArgumentException e)
        {
            throw new ScheduleFileException($"{file}: scenario: {e.Message}");
        }
        var periods = obj["periods"] as JsonArray ?? throw new ScheduleFileException($"{file}: periods: missing");
        var rows = new List<Row>();
        foreach (var (p, pi) in periods.Select((p, i) => (p, i)))
        {
            string at = $"{file}: periods[{pi}]";
            if (p is not JsonObject po || po["classes"] is not JsonArray cls)
            {
                throw new ScheduleFileException($"{at}: expected an object with classes");
            }
            int period = Get<int>(po, "period", at);
            foreach (var (c, ci) in cls.Select((c, i) => (c, i)))
            {
                string cat = $"{at}.classes[{ci}]";
                if (c is not JsonObject co)
                {
                    throw new ScheduleFileException($"{cat}: expected an object");
                }
                var energies = default(ClassPeriodFlows).Energies().Select(e => Get<double>(co, Camel(e.Name), cat)).ToArray();
                rows.Add(new Row(period, Get<string>(co, "class", cat)!, Get<double>(po, "sellerPricePerKwh", at), Get<double>(po, "buyerPricePerKwh", at),
                    energies, Get<bool>(co, "usesCompany", cat), Get<double>(co, "evEnergyKwh", cat), Get<double>(co, "accountKwh", cat), Get<double>(po, "storageEnergyKwh", at), cat));
            }
        }
        var schedule = Assemble(market, rows, file);
        return new ScheduleFileContent(market, schedule, Get<string>(obj, "solver", file) ?? "", obj["scenarioFile"]?.GetValue<string>(), Get<double>(obj, "objective", file));
    }

    /// <summary>Reads a CSV schedule file against <paramref name="market"/> (built from the scenario its header names, or one the caller chose).</summary>
    public static ScheduleFileContent ReadCsv(string file, string text, DayAheadMarket market)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(market);
        var header = CsvHeader(text);
        var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        var energyColumns = default(ClassPeriodFlows).Energies().Select(e => Camel(e.Name)).ToArray();
        var expected = string.Join(",", RoleColumns.Concat(energyColumns).Concat(StateColumns));
        if (lines.Count == 0 || lines[0] != expected)
        {
            throw new ScheduleFileException($"{file}: expected the column line '{expected}'");
        }
        var rows = new List<Row>();
        for (int i = 1; i < lines.Count; i++)
        {
            string at = $"{file}: data row {i}";
            var cells = lines[i].Split(',');
            if (cells.Length != RoleColumns.Length + energyColumns.Length + StateColumns.Length)
            {
                throw new ScheduleFileException($"{at}: has {cells.Length} cells, expected {RoleColumns.Length + energyColumns.Length + StateColumns.Length}");
            }
            double Num(int index) => double.TryParse(cells[index], NumberStyles.Float, CultureInfo.InvariantCulture, out double v)
                ? v
                : throw new ScheduleFileException($"{at}: column {index + 1} ('{cells[index]}') is not a number");
            int period = int.TryParse(cells[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out int pp) ? pp : throw new ScheduleFileException($"{at}: period '{cells[0]}' is not a whole number");
            int e0 = RoleColumns.Length, s0 = e0 + energyColumns.Length;
            rows.Add(new Row(period, cells[1], Num(3), Num(4), Enumerable.Range(e0, energyColumns.Length).Select(Num).ToArray(),
                cells[s0] == "1", Num(s0 + 1), Num(s0 + 2), Num(s0 + 3), at));
        }
        var schedule = Assemble(market, rows, file);
        double? stated = header.TryGetValue("objective", out var o) && double.TryParse(o, NumberStyles.Float, CultureInfo.InvariantCulture, out double ov) ? ov : null;
        return new ScheduleFileContent(market, schedule, header.GetValueOrDefault("solver", ""), header.GetValueOrDefault("scenario"), stated);
    }

    /// <summary>The <c># key: value</c> lines at the top of a CSV schedule.</summary>
    public static IReadOnlyDictionary<string, string> CsvHeader(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var header = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n').Select(l => l.TrimEnd('\r')).TakeWhile(l => l.StartsWith('#')))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 1)
            {
                header[line[1..colon].Trim()] = line[(colon + 1)..].Trim();
            }
        }
        return header;
    }

    private sealed record Row(int Period, string Class, double SellerPrice, double BuyerPrice, double[] Energies, bool UsesCompany, double Ev, double Account, double Storage, string At);

    private static DayAheadSchedule Assemble(DayAheadMarket market, List<Row> rows, string file)
    {
        int periods = market.PeriodCount, classes = market.ClassCount;
        if (rows.Count != periods * classes)
        {
            throw new ScheduleFileException($"{file}: has {rows.Count} period/class rows, the scenario needs {periods} × {classes} = {periods * classes}");
        }
        var flows = new ClassPeriodFlows[periods, classes];
        var prices = new PeriodPrices[periods];
        var levels = new double[periods];
        var ev = new double[periods, classes];
        var accounts = new double[periods, classes];
        var seen = new bool[periods, classes];
        foreach (var r in rows)
        {
            int t = r.Period - 1;
            int k = market.Scenario.Classes.Select(c => c.Name).ToList().IndexOf(r.Class);
            if (t < 0 || t >= periods)
            {
                throw new ScheduleFileException($"{r.At}: period {r.Period} outside 1…{periods}");
            }
            if (k < 0)
            {
                throw new ScheduleFileException($"{r.At}: no class named '{r.Class}' in the scenario");
            }
            if (seen[t, k])
            {
                throw new ScheduleFileException($"{r.At}: period {r.Period}, class {r.Class} appears twice");
            }
            seen[t, k] = true;
            var e = r.Energies;
            flows[t, k] = new ClassPeriodFlows(e[0], e[1], e[2], e[3], e[4], e[5], e[6], e[7], e[8], e[9], e[10], r.UsesCompany);
            prices[t] = new PeriodPrices(r.SellerPrice, r.BuyerPrice);
            levels[t] = r.Storage;
            ev[t, k] = r.Ev;
            accounts[t, k] = r.Account;
        }
        return new DayAheadSchedule(flows, prices, levels, ev, accounts);
    }

    private static T? Get<T>(JsonObject obj, string key, string at)
    {
        try
        {
            var node = obj[key] ?? throw new ScheduleFileException($"{at}: {key}: missing");
            return node.GetValue<T>();
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            throw new ScheduleFileException($"{at}: {key}: expected a {typeof(T).Name.ToLowerInvariant()}");
        }
    }

    private static string Camel(string name) => char.ToLowerInvariant(name[0]) + name[1..];

    private static string R(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
