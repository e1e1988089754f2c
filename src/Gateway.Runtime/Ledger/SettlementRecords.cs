using Gateway.LedgerClient;
using Gateway.Market.Decision;

namespace Gateway.Runtime.Ledger;

/// <summary>A round's metered settlements (<see cref="Gateway.Market.MeteredSettlements"/>) as the records the ledger commits.</summary>
internal static class SettlementRecords
{
    /// <summary>
    /// One record per settlement, in the market's order, each with a deterministic id from its place in that order: with
    /// an <paramref name="epoch"/> (the journal's) <see cref="LedgerIds.SettlementId"/>, unique per deployment, so a retry
    /// after an unknown outcome is recognised as the same settlement.
    /// </summary>
    public static IReadOnlyList<SettlementRecord> Of(string roundId, IReadOnlyList<MeteredSettlement> settlements, DateTimeOffset intervalStartUtc,
        DateTimeOffset intervalEndUtc, string? epoch = null) =>
        settlements.Select((s, index) => new SettlementRecord(
            epoch is null ? $"{roundId}/{index:D3}/{s.PayerId}->{s.PayeeId}" : LedgerIds.SettlementId(roundId, epoch, index, s.PayerId, s.PayeeId),
            roundId, s.PayerId, s.PayeeId, s.EnergyKwh, s.PricePerKwh, s.Amount, intervalStartUtc, intervalEndUtc)).ToList();
}
