using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Gateway.Testing.Fabric;

/// <summary>
/// The matching and electricity contracts' rules (src/LedgerClient/chaincode/lib/{matching,electricity}Contract.js,
/// roundRecords.js) executed in memory: records checked field by field, their content hash recomputed here (independently
/// of the client library), written once per key, idempotent, refused with other content.
/// </summary>
internal static class RoundRecordContractModel
{
    private const char Ns = '\u0000';

    public static Simulation Execute(TestContract contract, WorldState world, string function, IReadOnlyList<string> args, string txId, DateTimeOffset timestamp)
    {
        var (stream, objectType, prefix, record, get, eventName) = contract switch
        {
            TestContract.Matching => ("matching", "decision", "DECISION", "RecordDecisions", "GetDecision", "DecisionsRecorded"),
            TestContract.Electricity => ("electricity", "delivery", "DELIVERY", "RecordDeliveries", "GetDelivery", "DeliveriesRecorded"),
            _ => throw new ArgumentOutOfRangeException(nameof(contract)),
        };
        var simulation = new Simulation();
        if (function == record && args.Count == 1)
        {
            Record(world, simulation, contract, stream, objectType, prefix, eventName, args[0], txId, timestamp);
        }
        else if (function == get && args.Count == 1)
        {
            simulation.Result = Read(world, simulation, Key(objectType, args[0])) ?? [];
        }
        else if (function == "QueryRound" && args.Count == 1)
        {
            var records = new List<JsonElement>();
            foreach (var (_, keyBytes) in world.Scan(Key(objectType + "~round", args[0])))
            {
                if (Read(world, simulation, Key(objectType, Encoding.UTF8.GetString(keyBytes))) is { } value) records.Add(JsonSerializer.Deserialize<JsonElement>(value));
            }
            simulation.Result = JsonSerializer.SerializeToUtf8Bytes(records);
        }
        else
        {
            throw new ChaincodeRejection($"Error: You've asked to invoke a function that does not exist: {function}");
        }
        return simulation;
    }

    private static void Record(WorldState world, Simulation simulation, TestContract contract, string stream, string objectType, string prefix, string eventName,
        string json, string txId, DateTimeOffset timestamp)
    {
        JsonElement batch;
        try
        {
            batch = JsonSerializer.Deserialize<JsonElement>(json);
        }
        catch (JsonException e)
        {
            throw new ChaincodeRejection($"{prefix}_INVALID: batch is not valid JSON ({e.Message})");
        }
        if (batch.ValueKind != JsonValueKind.Object || !batch.TryGetProperty("records", out var list) || list.ValueKind != JsonValueKind.Array || list.GetArrayLength() is 0 or > 1000)
        {
            throw new ChaincodeRejection($"{prefix}_INVALID: a batch is an object with 1 to 1000 records");
        }
        var results = new List<object>();
        var written = new List<string>();
        foreach (var item in list.EnumerateArray())
        {
            string Text(string name) => item.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString()!.Length > 0 && !v.GetString()!.Any(char.IsControl)
                ? v.GetString()!
                : throw new ChaincodeRejection($"{prefix}_INVALID: {name} must be a non-empty string of printable characters");
            var key = Text("key");
            var (site, epoch, round, payload) = (Text("siteId"), Text("epoch"), Text("roundId"), Text("payload"));
            string Refuse(string message) => $"{prefix}_INVALID: record \"{key}\": {message}";
            var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', "round-record/v1", stream, key, site, epoch, round, payload))));
            var declared = item.TryGetProperty("contentHash", out var h) ? h.GetString() : null;
            if (declared != hash)
            {
                throw new ChaincodeRejection(Refuse($"contentHash {declared} does not match the record, which hashes to {hash}"));
            }
            JsonElement document;
            try
            {
                document = JsonSerializer.Deserialize<JsonElement>(payload);
            }
            catch (JsonException e)
            {
                throw new ChaincodeRejection(Refuse($"payload is not valid JSON ({e.Message})"));
            }
            if (document.ValueKind != JsonValueKind.Object) throw new ChaincodeRejection(Refuse("payload must be a JSON object"));
            if (!document.TryGetProperty("roundId", out var payloadRound) || payloadRound.GetString() != round)
                throw new ChaincodeRejection(Refuse($"payload roundId is not the record's round {round}"));
            var problem = contract == TestContract.Matching ? CheckDecision(document) : CheckDelivery(document);
            if (problem is not null) throw new ChaincodeRejection(Refuse(problem));

            if (Read(world, simulation, Key(objectType, key)) is { } storedBytes)
            {
                var stored = JsonSerializer.Deserialize<JsonElement>(storedBytes);
                if (stored.GetProperty("contentHash").GetString() != hash)
                    throw new ChaincodeRejection($"{prefix}_CONFLICT: record \"{key}\": already recorded in transaction {stored.GetProperty("txId").GetString()} with different content");
                results.Add(new { key, outcome = "already", txId = stored.GetProperty("txId").GetString() });
                continue;
            }
            simulation.Writes[Key(objectType, key)] = JsonSerializer.SerializeToUtf8Bytes(new
            {
                key, siteId = site, epoch, roundId = round, payload, contentHash = hash, txId, committedAtMs = timestamp.ToUnixTimeMilliseconds(),
            });
            simulation.Writes[Key(objectType + "~round", round, key)] = Encoding.UTF8.GetBytes(key);
            written.Add(key);
            results.Add(new { key, outcome = "committed", txId });
        }
        if (written.Count > 0) simulation.Event = (eventName, JsonSerializer.SerializeToUtf8Bytes(new { txId, keys = written }));
        simulation.Result = JsonSerializer.SerializeToUtf8Bytes(new { txId, results });
    }

    private static string? CheckDecision(JsonElement d)
    {
        foreach (var name in new[] { "quotations", "trades", "smesActions" })
        {
            if (!d.TryGetProperty(name, out var a) || a.ValueKind != JsonValueKind.Array) return $"{name} must be an array";
        }
        var i = 0;
        foreach (var t in d.GetProperty("trades").EnumerateArray())
        {
            var status = t.TryGetProperty("status", out var s) ? s.GetString() : null;
            if (status == "failed" && (!t.TryGetProperty("failedLineId", out var line) || line.ValueKind != JsonValueKind.String))
                return $"trades[{i}].failedLineId (the line that failed the trade) must be a non-empty string";
            if (status is not ("failed" or "executed")) return $"trades[{i}].status must be \"executed\" or \"failed\"";
            i++;
        }
        return null;
    }

    private static string? CheckDelivery(JsonElement d)
    {
        if (!d.TryGetProperty("devices", out var devices) || devices.ValueKind != JsonValueKind.Array) return "devices must be an array";
        var i = 0;
        foreach (var device in devices.EnumerateArray())
        {
            double? Number(string name) => device.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;
            var (start, end, net) = (Number("meterStartKwh"), Number("meterEndKwh"), Number("netExportKwh"));
            if (start is { } s && end is { } e && (net is not { } n || Math.Abs(e - s - n) > 1e-6))
                return $"devices[{i}].netExportKwh {net} is not meterEndKwh {end} - meterStartKwh {start}";
            i++;
        }
        return null;
    }

    private static byte[]? Read(WorldState world, Simulation simulation, string key)
    {
        var (value, version) = world.Get(key);
        simulation.Reads[key] = version;
        return value;
    }

    private static string Key(string type, params string[] attributes) => Ns + type + Ns + string.Concat(attributes.Select(a => a + Ns));
}
