using System.Globalization;
using System.Text.Json;
using Gateway.LedgerClient;
using Gateway.LedgerClient.Embedded;

namespace Gateway.Bench.MultiSite;

/// <summary>A round's CommitSettlements argument as the Node client sends it: the same JSON the gateway sends.</summary>
internal static class NodeBatch
{
    public static string Serialize(IReadOnlyList<SettlementRecord> settlements) => JsonSerializer.Serialize(new
    {
        count = settlements.Count,
        totalEnergyKwh = SettlementCanonicalForm.FormatDecimal(settlements.Sum(s => s.EnergyKwh)),
        totalAmount = SettlementCanonicalForm.FormatDecimal(settlements.Sum(s => s.Amount)),
        settlements = settlements.Select(s => new
        {
            settlementId = s.SettlementId,
            roundId = s.RoundId,
            payerId = s.PayerId,
            payeeId = s.PayeeId,
            energyKwh = SettlementCanonicalForm.FormatDecimal(s.EnergyKwh),
            pricePerKwh = SettlementCanonicalForm.FormatDecimal(s.PricePerKwh),
            amount = SettlementCanonicalForm.FormatDecimal(s.Amount),
            intervalStartUtc = s.IntervalStartUtc.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture),
            intervalEndUtc = s.IntervalEndUtc.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture),
        }),
    });
}
