using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Gateway.LedgerClient.Embedded;

namespace Gateway.LedgerClient.Fabric;

/// <summary>
/// The settlement's JSON form on the chaincode: decimals as canonical strings (no binary floating point near money),
/// times as UTC ISO 8601 with 7 fractional digits. A batch (<c>CommitSettlements</c>) carries its count and totals,
/// which the chaincode checks against the settlements it holds.
/// </summary>
internal static class SettlementJson
{
    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static string Serialize(SettlementRecord settlement) => JsonSerializer.Serialize(ToDocument(settlement), Options);

    /// <summary>The argument of CommitSettlements: the settlements with their count and totals.</summary>
    public static string SerializeBatch(IReadOnlyList<SettlementRecord> settlements) => JsonSerializer.Serialize(new BatchDocument
    {
        Count = settlements.Count,
        TotalEnergyKwh = SettlementCanonicalForm.FormatDecimal(settlements.Sum(s => s.EnergyKwh)),
        TotalAmount = SettlementCanonicalForm.FormatDecimal(settlements.Sum(s => s.Amount)),
        Settlements = settlements.Select(ToDocument).ToList(),
    }, Options);

    /// <summary>Parses one stored settlement; the transaction id it was committed in is returned alongside.</summary>
    public static (SettlementRecord Settlement, string? TransactionId) Deserialize(ReadOnlySpan<byte> json)
    {
        var document = JsonSerializer.Deserialize<SettlementDocument>(json, Options)
            ?? throw new FormatException("settlement JSON is null");
        return ToRecord(document);
    }

    public static IReadOnlyList<(SettlementRecord Settlement, string? TransactionId)> DeserializeList(ReadOnlySpan<byte> json)
    {
        var documents = JsonSerializer.Deserialize<List<SettlementDocument>>(json, Options)
            ?? throw new FormatException("settlement list JSON is null");
        return documents.Select(ToRecord).ToList();
    }

    /// <summary>CommitSettlements' answer: per settlement, whether this transaction commits it or it was already there (and in which transaction).</summary>
    public static IReadOnlyList<(string SettlementId, bool Already, string? TransactionId)> DeserializeBatchResult(ReadOnlySpan<byte> json)
    {
        var document = JsonSerializer.Deserialize<BatchResultDocument>(json, Options) ?? throw new FormatException("batch result JSON is null");
        return (document.Results ?? throw new FormatException("batch result lacks results"))
            .Select(r => (Required(r.SettlementId, "settlementId"), r.Outcome switch
            {
                "committed" => false,
                "already" => true,
                var other => throw new FormatException($"batch result outcome '{other}' is neither 'committed' nor 'already'"),
            }, r.TxId)).ToList();
    }

    /// <summary>The payload of a SettlementsCommitted event: the settlements the transaction committed.</summary>
    public static IReadOnlyList<SettlementRecord> DeserializeEvent(ReadOnlySpan<byte> json)
    {
        var document = JsonSerializer.Deserialize<EventDocument>(json, Options) ?? throw new FormatException("event JSON is null");
        return (document.Settlements ?? []).Select(d => ToRecord(d).Settlement).ToList();
    }

    /// <summary>Same settlement: equal ids, parties, values (decimal equality, so 1.50 = 1.5) and interval instants.</summary>
    public static bool SameContent(SettlementRecord a, SettlementRecord b) =>
        a.SettlementId == b.SettlementId && a.RoundId == b.RoundId && a.PayerId == b.PayerId && a.PayeeId == b.PayeeId
        && a.EnergyKwh == b.EnergyKwh && a.PricePerKwh == b.PricePerKwh && a.Amount == b.Amount
        && a.IntervalStartUtc == b.IntervalStartUtc && a.IntervalEndUtc == b.IntervalEndUtc;

    private static SettlementDocument ToDocument(SettlementRecord settlement) => new()
    {
        SettlementId = settlement.SettlementId,
        RoundId = settlement.RoundId,
        PayerId = settlement.PayerId,
        PayeeId = settlement.PayeeId,
        EnergyKwh = SettlementCanonicalForm.FormatDecimal(settlement.EnergyKwh),
        PricePerKwh = SettlementCanonicalForm.FormatDecimal(settlement.PricePerKwh),
        Amount = SettlementCanonicalForm.FormatDecimal(settlement.Amount),
        IntervalStartUtc = settlement.IntervalStartUtc.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture),
        IntervalEndUtc = settlement.IntervalEndUtc.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture),
    };

    private static (SettlementRecord Settlement, string? TransactionId) ToRecord(SettlementDocument d) => (new SettlementRecord(
        Required(d.SettlementId, "settlementId"),
        Required(d.RoundId, "roundId"),
        Required(d.PayerId, "payerId"),
        Required(d.PayeeId, "payeeId"),
        ParseDecimal(d.EnergyKwh, "energyKwh"),
        ParseDecimal(d.PricePerKwh, "pricePerKwh"),
        ParseDecimal(d.Amount, "amount"),
        ParseTime(d.IntervalStartUtc, "intervalStartUtc"),
        ParseTime(d.IntervalEndUtc, "intervalEndUtc")), d.TxId);

    private static string Required(string? value, string name) =>
        string.IsNullOrEmpty(value) ? throw new FormatException($"settlement JSON lacks {name}") : value;

    private static decimal ParseDecimal(string? value, string name) =>
        decimal.TryParse(value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var result)
            ? result
            : throw new FormatException($"settlement JSON {name} '{value}' is not a decimal");

    private static DateTimeOffset ParseTime(string? value, string name) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var result)
            ? result
            : throw new FormatException($"settlement JSON {name} '{value}' is not a timestamp");

    private sealed class SettlementDocument
    {
        public string? SettlementId { get; set; }
        public string? RoundId { get; set; }
        public string? PayerId { get; set; }
        public string? PayeeId { get; set; }
        public string? EnergyKwh { get; set; }
        public string? PricePerKwh { get; set; }
        public string? Amount { get; set; }
        public string? IntervalStartUtc { get; set; }
        public string? IntervalEndUtc { get; set; }
        public string? TxId { get; set; }
    }

    private sealed class BatchDocument
    {
        public int Count { get; set; }
        public string? TotalEnergyKwh { get; set; }
        public string? TotalAmount { get; set; }
        public List<SettlementDocument>? Settlements { get; set; }
    }

    private sealed class BatchResultDocument
    {
        public string? TxId { get; set; }
        public List<BatchResultEntry>? Results { get; set; }
    }

    private sealed class BatchResultEntry
    {
        public string? SettlementId { get; set; }
        public string? Outcome { get; set; }
        public string? TxId { get; set; }
    }

    private sealed class EventDocument
    {
        public string? TxId { get; set; }
        public List<SettlementDocument>? Settlements { get; set; }
    }
}
