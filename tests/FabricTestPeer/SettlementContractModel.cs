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
        var settlement = Parse(json);
        var id = settlement["settlementId"];
        var key = SettlementKey(id);
        if (Read(world, simulation, key) is not null)
        {
            throw new ChaincodeRejection($"SETTLEMENT_EXISTS: settlement {id} is already committed");
        }
        var committedAtMs = timestamp.ToUnixTimeMilliseconds();
        var record = new Dictionary<string, object>(settlement.Select(p => KeyValuePair.Create(p.Key, (object)p.Value)))
        {
            ["txId"] = txId,
            ["committedAtMs"] = committedAtMs,
        };
        var recordJson = JsonSerializer.SerializeToUtf8Bytes(record);
        simulation.Writes[key] = recordJson;
        simulation.Writes[CompositeKey("settlement~round", settlement["roundId"], committedAtMs.ToString("D15", CultureInfo.InvariantCulture), id)] = Encoding.UTF8.GetBytes(id);
        simulation.Event = ("SettlementCommitted", JsonSerializer.SerializeToUtf8Bytes(new { roundId = settlement["roundId"], settlementId = id, txId }));
        simulation.Result = recordJson;
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

    private static Dictionary<string, string> Parse(string json)
    {
        JsonElement root;
        try
        {
            root = JsonSerializer.Deserialize<JsonElement>(json);
        }
        catch (JsonException e)
        {
            throw new ChaincodeRejection($"SETTLEMENT_INVALID: settlement is not valid JSON ({e.Message})");
        }
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new ChaincodeRejection("SETTLEMENT_INVALID: settlement must be a JSON object");
        }
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
                throw new ChaincodeRejection($"SETTLEMENT_INVALID: {name} must be a non-empty string");
            }
        }
        if (fields["payerId"] == fields["payeeId"])
        {
            throw new ChaincodeRejection($"SETTLEMENT_INVALID: payer and payee are the same participant ({fields["payerId"]})");
        }
        var energy = ParseDecimal(fields, "energyKwh");
        var price = ParseDecimal(fields, "pricePerKwh");
        var amount = ParseDecimal(fields, "amount");
        foreach (var (name, value) in new[] { ("energyKwh", energy), ("pricePerKwh", price), ("amount", amount) })
        {
            if (value < 0)
            {
                throw new ChaincodeRejection($"SETTLEMENT_INVALID: {name} must not be negative");
            }
        }
        foreach (var name in new[] { "intervalStartUtc", "intervalEndUtc" })
        {
            if (!fields.TryGetValue(name, out var t) || !UtcTimestamp().IsMatch(t))
            {
                throw new ChaincodeRejection($"SETTLEMENT_INVALID: {name} must be an ISO 8601 UTC timestamp ending in Z");
            }
        }
        if (DateTimeOffset.Parse(fields["intervalStartUtc"], CultureInfo.InvariantCulture) >= DateTimeOffset.Parse(fields["intervalEndUtc"], CultureInfo.InvariantCulture))
        {
            throw new ChaincodeRejection("SETTLEMENT_INVALID: intervalStartUtc must be before intervalEndUtc");
        }
        // Same rule as the chaincode: at most 4 decimals, within half a unit of the 4th decimal of energy × price.
        if (amount.Scale > 4 || Math.Abs(amount - energy * price) > 0.00005m)
        {
            throw new ChaincodeRejection($"SETTLEMENT_UNBALANCED: amount {fields["amount"]} is not energyKwh {fields["energyKwh"]} x pricePerKwh {fields["pricePerKwh"]} rounded to 4 decimals");
        }
        return fields;
    }

    private static decimal ParseDecimal(Dictionary<string, string> fields, string name)
    {
        if (!fields.TryGetValue(name, out var text))
        {
            throw new ChaincodeRejection($"SETTLEMENT_INVALID: {name} must be a decimal string");
        }
        if (!DecimalText().IsMatch(text) || !decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
        {
            throw new ChaincodeRejection($"SETTLEMENT_INVALID: {name} is not a decimal number: \"{text}\"");
        }
        return value;
    }

    [GeneratedRegex(@"^-?\d+(\.\d+)?$")]
    private static partial Regex DecimalText();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?Z$")]
    private static partial Regex UtcTimestamp();
}
