using System.Text.Json;
using System.Text.Json.Serialization;

namespace Gateway.LedgerClient.Fabric;

/// <summary>Round records as the matching and electricity contracts take and return them; the payload travels as a string, byte for byte.</summary>
internal static class RoundRecordJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static string SerializeBatch(IReadOnlyList<RoundRecord> records) => JsonSerializer.Serialize(new BatchDocument
    {
        Records = records.Select(r => new RecordDocument
        {
            Key = r.Key,
            SiteId = r.SiteId,
            Epoch = r.Epoch,
            RoundId = r.RoundId,
            Payload = r.PayloadJson,
            ContentHash = r.ContentHash(),
        }).ToList(),
    }, Options);

    public static IReadOnlyList<(string Key, bool Already, string? TransactionId)> DeserializeBatchResult(ReadOnlySpan<byte> json)
    {
        var document = JsonSerializer.Deserialize<BatchResultDocument>(json, Options) ?? throw new FormatException("batch result JSON is null");
        return (document.Results ?? throw new FormatException("batch result lacks results")).Select(r => (
            string.IsNullOrEmpty(r.Key) ? throw new FormatException("batch result entry lacks key") : r.Key,
            r.Outcome switch
            {
                "committed" => false,
                "already" => true,
                var other => throw new FormatException($"batch result outcome '{other}' is neither 'committed' nor 'already'"),
            },
            r.TxId)).ToList();
    }

    public static StoredRoundRecord Deserialize(LedgerStream stream, ReadOnlySpan<byte> json)
    {
        var d = JsonSerializer.Deserialize<RecordDocument>(json, Options) ?? throw new FormatException("record JSON is null");
        string Required(string? value, string name) => string.IsNullOrEmpty(value) ? throw new FormatException($"record JSON lacks {name}") : value;
        var record = new RoundRecord(stream, Required(d.Key, "key"), Required(d.SiteId, "siteId"), Required(d.Epoch, "epoch"), Required(d.RoundId, "roundId"), Required(d.Payload, "payload"));
        return new StoredRoundRecord(record, FabricLedger.UnknownBlockNumber, d.TxId ?? "",
            d.CommittedAtMs is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null);
    }

    private sealed class BatchDocument
    {
        public List<RecordDocument>? Records { get; set; }
    }

    private sealed class RecordDocument
    {
        public string? Key { get; set; }
        public string? SiteId { get; set; }
        public string? Epoch { get; set; }
        public string? RoundId { get; set; }
        public string? Payload { get; set; }
        public string? ContentHash { get; set; }
        public string? TxId { get; set; }
        public long? CommittedAtMs { get; set; }
    }

    private sealed class BatchResultDocument
    {
        public List<BatchResultEntry>? Results { get; set; }
    }

    private sealed class BatchResultEntry
    {
        public string? Key { get; set; }
        public string? Outcome { get; set; }
        public string? TxId { get; set; }
    }
}
