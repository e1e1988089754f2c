using Gateway.LedgerClient.Embedded;

namespace Gateway.LedgerClient.Crasher;

/// <summary>The deterministic settlements the crasher records, so every restart records the same ones.</summary>
public static class Workload
{
    private static readonly DateTimeOffset Start = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Round <paramref name="round"/>'s settlements.</summary>
    public static IReadOnlyList<SettlementRecord> Round(int round, int perRound) =>
        Enumerable.Range(0, perRound).Select(i =>
        {
            var energy = 0.25m + (round * perRound + i) % 37 * 0.125m;
            var price = 0.18m + i % 5 * 0.0125m;
            var intervalStart = Start.AddMinutes(15 * round);
            return new SettlementRecord(
                $"round-{round:D4}/trade-{i:D3}", $"round-{round:D4}", $"ev-{i % 7}", $"pv-{i % 3}",
                energy, price, SettlementBalance.ExpectedAmount(energy, price),
                intervalStart, intervalStart.AddMinutes(15));
        }).ToArray();

    /// <summary>Round <paramref name="round"/>'s settlements with the gateway's ids (round/epoch/index/payer->payee), for the Fabric runs.</summary>
    public static IReadOnlyList<SettlementRecord> GatewayRound(int round, int perRound, string epoch) =>
        Round(round, perRound).Select((s, i) => s with { SettlementId = LedgerIds.SettlementId(s.RoundId, epoch, i, s.PayerId, s.PayeeId) }).ToArray();

    /// <summary>Every settlement id of a run of <paramref name="rounds"/> rounds.</summary>
    public static IEnumerable<string> AllIds(int rounds, int perRound) =>
        Enumerable.Range(0, rounds).SelectMany(r => Round(r, perRound)).Select(s => s.SettlementId);
}
