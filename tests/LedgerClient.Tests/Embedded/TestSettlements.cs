using Gateway.LedgerClient.Embedded;

namespace Gateway.LedgerClient.Tests.Embedded;

/// <summary>Balanced settlements for tests, with deterministic ids.</summary>
internal static class TestSettlements
{
    public static readonly DateTimeOffset IntervalStart = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public static SettlementRecord Make(string roundId, int index, decimal energyKwh = 1.25m, decimal pricePerKwh = 0.2137m)
    {
        return new SettlementRecord(
            SettlementId: $"{roundId}/ev-{index}->pv-{index % 3}/{index}",
            RoundId: roundId,
            PayerId: $"ev-{index}",
            PayeeId: $"pv-{index % 3}",
            EnergyKwh: energyKwh,
            PricePerKwh: pricePerKwh,
            Amount: SettlementBalance.ExpectedAmount(energyKwh, pricePerKwh),
            IntervalStartUtc: IntervalStart,
            IntervalEndUtc: IntervalStart.AddMinutes(15));
    }

    public static IReadOnlyList<SettlementRecord> Round(string roundId, int count) =>
        Enumerable.Range(0, count).Select(i => Make(roundId, i, 0.5m + i * 0.125m)).ToArray();
}

/// <summary>A fresh directory under the system temp folder, deleted afterwards.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ledger-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
