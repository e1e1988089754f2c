using Gateway.LedgerClient.Embedded;

namespace Gateway.LedgerClient.Tests.Embedded;

public sealed class SettlementBalanceTests
{
    [Fact]
    public void Amount_is_rounded_to_four_places_midpoint_away_from_zero()
    {
        Assert.Equal(0.0013m, SettlementBalance.ExpectedAmount(0.25m, 0.0050m)); // 0.00125 → 0.0013
        Assert.Equal(0.2671m, SettlementBalance.ExpectedAmount(1.25m, 0.2137m)); // 0.267125 → 0.2671
    }

    [Fact]
    public void Balanced_settlement_passes_and_yields_its_canonical_bytes()
    {
        var s = TestSettlements.Make("r", 1);
        Assert.Equal(SettlementCanonicalForm.ToBytes(s), SettlementBalance.EnsureValid(s));
    }

    [Fact]
    public void Unbalanced_settlement_is_rejected_naming_the_numbers()
    {
        var s = TestSettlements.Make("r", 1) with { Amount = 0.27m };
        var e = Assert.Throws<InvalidSettlementException>(() => SettlementBalance.EnsureValid(s));
        Assert.Equal(s.SettlementId, e.SettlementId);
        Assert.Contains("unbalanced: Amount is 0.27 but round(EnergyKwh 1.25 × PricePerKwh 0.2137, 4) = 0.2671", e.Message);
    }

    [Fact]
    public void Negative_energy_empty_interval_and_self_trade_are_rejected()
    {
        var s = TestSettlements.Make("r", 1);
        Assert.Contains("cannot be negative", Assert.Throws<InvalidSettlementException>(() =>
            SettlementBalance.EnsureValid(s with { EnergyKwh = -1m, Amount = SettlementBalance.ExpectedAmount(-1m, s.PricePerKwh) })).Message);
        Assert.Contains("not after its start", Assert.Throws<InvalidSettlementException>(() =>
            SettlementBalance.EnsureValid(s with { IntervalEndUtc = s.IntervalStartUtc })).Message);
        Assert.Contains("payer and payee are both", Assert.Throws<InvalidSettlementException>(() =>
            SettlementBalance.EnsureValid(s with { PayeeId = s.PayerId })).Message);
    }

    [Fact]
    public void Overflowing_product_is_rejected() =>
        Assert.Contains("overflows", Assert.Throws<InvalidSettlementException>(() =>
            SettlementBalance.EnsureValid(TestSettlements.Make("r", 1) with { EnergyKwh = decimal.MaxValue, PricePerKwh = 2m })).Message);
}
