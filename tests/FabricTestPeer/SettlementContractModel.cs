using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Gateway.Testing.Fabric;

/// <summary>The outcome of simulating one transaction: reads (key → version seen), writes, event and result.</summary>
internal sealed class Simulation
{
    public Dictionary<string, long> Reads { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, byte[]> Writes { get; } = new(StringComparer.Ordinal);

    public (string Name, byte[] Payload)? Event { get; set; }

    public byte[] Result { get; set; } = [];
}

/// <summary>A chaincode rejection, reported by the peer as "chaincode response 500, message".</summary>
internal sealed class ChaincodeRejection(string message) : Exception(message);

/// <summary>
/// The settlement chaincode's rules (src/LedgerClient/chaincode/lib/settlementContract.js) executed in memory,
/// with the same keys, JSON and error prefixes, so the peer answers as a peer running that chaincode would.
/// </summary>
internal static partial class SettlementContractModel
{
    private const char Ns = '\u0000';
    private static readonly string[] TextFields = ["settlementId", "roundId", "payerId", "payeeId"];

    public static string SettlementKey(string id) => CompositeKey("settlement", id);

    private static string CompositeKey(string type, params string[] attributes) =>
        Ns + type + Ns + string.Concat(attributes.Select(a => a + Ns));

    public static Simulation Execute(WorldState world, string function, IReadOnlyList<string> args, string txId, DateTimeOffset timestamp)
    {
        var simulation = new Simulation();
        switch (function)
        {
            case "CommitSettlement" when args.Count == 1:
                Commit(world, simulation, args[0], txId, timestamp);
                break;
            case "CommitSettlements" when args.Count == 1:
                CommitBatch(world, simulation, args[0], txId, timestamp);
                break;
            case "GetSettlement" when args.Count == 1:
                simulation.Result = Read(world, simulation, SettlementKey(args[0])) ?? [];
                break;
            case "QueryRound" when args.Count == 1:
                simulation.Result = QueryRound(world, simulation, args[0]);
                break;
            default:
                throw new ChaincodeRejection($"Error: You've asked to invoke a function that does not exist: {function}");
        }
        return simulation;
    }

    private static byte[]? Read(WorldState world, Simulation simulation, string key)
    {
        var (value, version) = world.Get(key);
        simulation.Reads[key] = version;
        return value;
    }

    private static void Commit(WorldState world, Simulation simulation, string json, string txId, DateTimeOffset timestamp)
    {
        var settlement = Parse(ParseJson(json, "settlement"));
        var id = settlement["settlementId"];
        if (Read(world, simulation, SettlementKey(id)) is not null)
        {
            throw new ChaincodeRejection($"SETTLEMENT_EXISTS: settlement {id} is already committed");
        }
        var record = Write(simulation, settlement, txId, timestamp.ToUnixTimeMilliseconds());
        simulation.Event = ("SettlementsCommitted", JsonSerializer.SerializeToUtf8Bytes(new { txId, settlements = new[] { record } }));
        simulation.Result = JsonSerializer.SerializeToUtf8Bytes(record);
    }

    private static void CommitBatch(WorldState world, Simulation simulation, string json, string txId, DateTimeOffset timestamp)
    {
        var batch = ParseJson(json, "batch");
        if (batch.ValueKind != JsonValueKind.Object || !batch.TryGetProperty("settlements", out var list) || list.ValueKind != JsonValueKind.Array)
        {
            throw new ChaincodeRejection("SETTLEMENT_BATCH_INVALID: a batch is an object with a settlements array");
        }
        var count = list.GetArrayLength();
        if (count is 0 or > 10000)
        {
            throw new ChaincodeRejection($"SETTLEMENT_BATCH_INVALID: a batch holds 1 to 10000 settlements, not {count}");
        }
        var settlements = list.EnumerateArray().Select(Parse).ToList();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        decimal energy = 0, amount = 0;
        foreach (var s in settlements)
        {
            if (!seen.Add(s["settlementId"]))
            {
                throw new ChaincodeRejection($"SETTLEMENT_BATCH_INVALID: settlement \"{s["settlementId"]}\": appears twice in the batch");
            }
            energy += ParseDecimal(s, "energyKwh");
            amount += ParseDecimal(s, "amount");
        }
        var declaredCount = batch.TryGetProperty("count", out var c) && c.ValueKind == JsonValueKind.Number ? c.GetInt32() : -1;
        var declaredEnergy = DeclaredDecimal(batch, "totalEnergyKwh");
        var declaredAmount = DeclaredDecimal(batch, "totalAmount");
        if (declaredCount != count || declaredEnergy != energy || declaredAmount != amount)
        {
            throw new ChaincodeRejection($"SETTLEMENT_BATCH_INVALID: the batch declares {declaredCount} settlements, {declaredEnergy} kWh and {declaredAmount}, but holds {count} that add up to other totals");
        }

        var committedAtMs = timestamp.ToUnixTimeMilliseconds();
        var results = new List<object>();
        var committed = new List<Dictionary<string, object>>();
        foreach (var settlement in settlements)
        {
            var id = settlement["settlementId"];
            if (Read(world, simulation, SettlementKey(id)) is { } storedBytes)
            {
                var stored = JsonSerializer.Deserialize<JsonElement>(storedBytes);
                var differences = Differences(stored, settlement);
                if (differences.Length > 0)
                {
                    throw new ChaincodeRejection($"SETTLEMENT_CONFLICT: settlement \"{id}\": already committed in transaction {stored.GetProperty("txId").GetString()} with different content ({differences})");
                }
                results.Add(new { settlementId = id, outcome = "already", txId = stored.GetProperty("txId").GetString() });
                continue;
            }
            committed.Add(Write(simulation, settlement, txId, committedAtMs));
            results.Add(new { settlementId = id, outcome = "committed", txId });
        }
        if (committed.Count > 0)
        {
            simulation.Event = ("SettlementsCommitted", JsonSerializer.SerializeToUtf8Bytes(new { txId, settlements = committed }));
        }
        simulation.Result = JsonSerializer.SerializeToUtf8Bytes(new { txId, results });
    }

    private static Dictionary<string, object> Write(Simulation simulation, Dictionary<string, string> settlement, string txId, long committedAtMs)
    {
        var id = settlement["settlementId"];
        var record = new Dictionary<string, object>(settlement.Select(p => KeyValuePair.Create(p.Key, (object)p.Value)))
        {
            ["txId"] = txId,
            ["committedAtMs"] = committedAtMs,
        };
        simulation.Writes[SettlementKey(id)] = JsonSerializer.SerializeToUtf8Bytes(record);
        simulation.Writes[CompositeKey("settlement~round", settlement["roundId"], committedAtMs.ToString("D15", CultureInfo.InvariantCulture), id)] = Encoding.UTF8.GetBytes(id);
        return record;
    }

    // Same comparison as the chaincode: texts exactly, decimals by value, instants as instants.
    private static string Differences(JsonElement stored, Dictionary<string, string> offered)
    {
        var differences = new List<string>();
        foreach (var (name, value) in offered)
        {
            var storedText = stored.TryGetProperty(name, out var p) ? p.GetString() ?? "" : "";
            var equal = name switch
            {
                "energyKwh" or "pricePerKwh" or "amount" => decimal.TryParse(storedText, NumberStyles.Number, CultureInfo.InvariantCulture, out var a)
                    && decimal.Parse(value, CultureInfo.InvariantCulture) == a,
                "intervalStartUtc" or "intervalEndUtc" => DateTimeOffset.Parse(storedText, CultureInfo.InvariantCulture) == DateTimeOffset.Parse(value, CultureInfo.InvariantCulture),
                _ => storedText == value,
            };
            if (!equal) differences.Add($"{name} {storedText} != {value}");
        }
        return string.Join(", ", differences);
    }

    private static decimal? DeclaredDecimal(JsonElement batch, string name)
    {
        if (!batch.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.String || !DecimalText().IsMatch(value.GetString()!))
        {
            throw new ChaincodeRejection($"SETTLEMENT_BATCH_INVALID: {name} is not a decimal number");
        }
        return decimal.Parse(value.GetString()!, CultureInfo.InvariantCulture);
    }

    private static JsonElement ParseJson(string json, string what)
    {
        try
        {
            return JsonSerializer.Deserialize<JsonElement>(json);
        }
        catch (JsonException e)
        {
            throw new ChaincodeRejection($"SETTLEMENT_INVALID: {what} is not valid JSON ({e.Message})");
        }
    }

    private static byte[] QueryRound(WorldState world, Simulation simulation, string roundId)
    {
        var records = new List<JsonElement>();
        foreach (var (_, idBytes) in world.Scan(CompositeKey("settlement~round", roundId)))
        {
            var value = Read(world, simulation, SettlementKey(Encoding.UTF8.GetString(idBytes)));
            if (value is not null)
            {
                records.Add(JsonSerializer.Deserialize<JsonElement>(value));
            }
        }
        return JsonSerializer.SerializeToUtf8Bytes(records);
    }

    private static Dictionary<string, string> Parse(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new ChaincodeRejection("SETTLEMENT_INVALID: settlement must be a JSON object");
        }
        string? id = root.TryGetProperty("settlementId", out var idValue) && idValue.ValueKind == JsonValueKind.String && idValue.GetString()!.Length > 0 ? idValue.GetString() : null;
        // Like the chaincode, a refusal quotes the settlement it concerns.
        string Of(string prefix) => id is null ? prefix + ": " : $"{prefix}: settlement \"{id}\": ";
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in TextFields.Concat(["energyKwh", "pricePerKwh", "amount", "intervalStartUtc", "intervalEndUtc"]))
        {
            if (root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String)
            {
                fields[name] = value.GetString()!;
            }
        }
        foreach (var name in TextFields)
        {
            if (!fields.TryGetValue(name, out var v) || v.Length == 0)
            {
                throw new ChaincodeRejection($"{Of("SETTLEMENT_INVALID")}{name} must be a non-empty string");
            }
        }
        if (fields["payerId"] == fields["payeeId"])
        {
            throw new ChaincodeRejection($"{Of("SETTLEMENT_INVALID")}payer and payee are the same participant ({fields["payerId"]})");
        }
        var energy = ParseDecimal(fields, "energyKwh", id);
        var price = ParseDecimal(fields, "pricePerKwh", id);
        var amount = ParseDecimal(fields, "amount", id);
        foreach (var (name, value) in new[] { ("energyKwh", energy), ("pricePerKwh", price), ("amount", amount) })
        {
            if (value < 0)
            {
                throw new ChaincodeRejection($"{Of("SETTLEMENT_INVALID")}{name} must not be negative");
            }
        }
        foreach (var name in new[] { "intervalStartUtc", "intervalEndUtc" })
        {
            if (!fields.TryGetValue(name, out var t) || !UtcTimestamp().IsMatch(t))
            {
                throw new ChaincodeRejection($"{Of("SETTLEMENT_INVALID")}{name} must be an ISO 8601 UTC timestamp ending in Z");
            }
        }
        if (DateTimeOffset.Parse(fields["intervalStartUtc"], CultureInfo.InvariantCulture) >= DateTimeOffset.Parse(fields["intervalEndUtc"], CultureInfo.InvariantCulture))
        {
            throw new ChaincodeRejection(Of("SETTLEMENT_INVALID") + "intervalStartUtc must be before intervalEndUtc");
        }
        // Same rule as the chaincode: at most 4 decimals, within half a unit of the 4th decimal of energy × price.
        if (amount.Scale > 4 || Math.Abs(amount - energy * price) > 0.00005m)
        {
            throw new ChaincodeRejection($"{Of("SETTLEMENT_UNBALANCED")}amount {fields["amount"]} is not energyKwh {fields["energyKwh"]} x pricePerKwh {fields["pricePerKwh"]} rounded to 4 decimals");
        }
        return fields;
    }

    private static decimal ParseDecimal(Dictionary<string, string> fields, string name, string? id = null)
    {
        string Of(string prefix) => id is null ? prefix + ": " : $"{prefix}: settlement \"{id}\": ";
        if (!fields.TryGetValue(name, out var text))
        {
            throw new ChaincodeRejection($"{Of("SETTLEMENT_INVALID")}{name} must be a decimal string");
        }
        if (!DecimalText().IsMatch(text) || !decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
        {
            throw new ChaincodeRejection($"{Of("SETTLEMENT_INVALID")}{name} is not a decimal number: \"{text}\"");
        }
        return value;
    }

    [GeneratedRegex(@"^-?\d+(\.\d+)?$")]
    private static partial Regex DecimalText();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?Z$")]
    private static partial Regex UtcTimestamp();
}
