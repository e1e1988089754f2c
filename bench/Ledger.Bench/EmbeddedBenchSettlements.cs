using Gateway.LedgerClient;
using Gateway.LedgerClient.Embedded;

namespace Gateway.Bench;

/// <summary>Fresh, balanced settlements with increasing ids for the embedded-ledger benchmarks.</summary>
internal static class EmbeddedBenchSettlements
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static SettlementRecord Next(ref long counter)
    {
        var n = counter++;
        var round = n / 20;
        var energy = 0.5m + n % 40 * 0.125m;
        var price = 0.21m + n % 7 * 0.0025m;
        var intervalStart = Start.AddMinutes(15 * round);
        return new SettlementRecord($"round-{round}/trade-{n % 20}", $"round-{round}", $"ev-{n % 13}", $"pv-{n % 5}",
            energy, price, SettlementBalance.ExpectedAmount(energy, price), intervalStart, intervalStart.AddMinutes(15));
    }
}
