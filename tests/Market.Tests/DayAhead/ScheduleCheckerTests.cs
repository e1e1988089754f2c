using Gateway.Market.DayAhead;

namespace Gateway.Market.Tests.DayAhead;

/// <summary>The checker itself must catch each kind of violation, or the property tests prove nothing.</summary>
public class ScheduleCheckerTests
{
    private static (DayAheadMarket Market, ClassPeriodFlows[,] Flows, PeriodPrices[] Prices, double[] Levels) Feasible()
    {
        var market = PaperScenarios.Market(0);
        var genes = Enumerable.Repeat(1.0, ScheduleDecoder.Dimension(market)).ToArray();
        var schedule = ScheduleDecoder.Decode(market, genes);
        var flows = new ClassPeriodFlows[market.PeriodCount, market.ClassCount];
        for (int t = 0; t < market.PeriodCount; t++)
        {
            for (int k = 0; k < market.ClassCount; k++)
            {
                flows[t, k] = schedule[t, k];
            }
        }
        return (market, flows, schedule.Prices.ToArray(), schedule.StorageEnergyKwh.ToArray());
    }

    private static IReadOnlyList<string> Check(DayAheadMarket market, ClassPeriodFlows[,] flows, PeriodPrices[] prices, double[] levels) =>
        ScheduleChecker.Check(market, new DayAheadSchedule(flows, prices, levels));

    [Fact]
    public void Accepts_a_decoded_schedule()
    {
        var (market, flows, prices, levels) = Feasible();
        Assert.Empty(Check(market, flows, prices, levels));
    }

    [Fact]
    public void Catches_unbalanced_trade_eq_7()
    {
        var (market, flows, prices, levels) = Feasible();
        // Hour 9: class C buys, A and B sell. Give C one more peer kWh out of the grid share.
        var f = flows[8, 2];
        Assert.True(f.BoughtPeerKwh > 1);
        flows[8, 2] = f with { BoughtPeerKwh = f.BoughtPeerKwh + 1, BoughtGridKwh = f.BoughtGridKwh - 1, BoughtCompanyKwh = f.BoughtCompanyKwh };
        if (f.UsesCompany)
        {
            flows[8, 2] = f with { BoughtPeerKwh = f.BoughtPeerKwh + 1, BoughtCompanyKwh = f.BoughtCompanyKwh - 1 };
        }
        Assert.Contains(Check(market, flows, prices, levels), v => v.Contains("eq. (7)", StringComparison.Ordinal) && v.Contains("period 9", StringComparison.Ordinal));
    }

    [Fact]
    public void Catches_storage_above_capacity_eq_30_and_power_eq_31()
    {
        var (market, flows, prices, levels) = Feasible();
        // Hour 13: class A stores 400 kWh more than the 300 kW limit allows and the level passes 1200 kWh.
        var f = flows[12, 0];
        double extra = Math.Min(f.PvSoldKwh + f.PvCurtailedKwh, 400);
        flows[12, 0] = f with { PvStoredKwh = f.PvStoredKwh + extra, PvSoldKwh = 0, PvCurtailedKwh = f.PvSoldKwh + f.PvCurtailedKwh - extra };
        for (int t = 12; t < levels.Length; t++)
        {
            levels[t] += extra;
        }
        var violations = Check(market, flows, prices, levels);
        Assert.Contains(violations, v => v.Contains("eq. (31)", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.Contains("eq. (30)", StringComparison.Ordinal) || v.Contains("eq. (7)", StringComparison.Ordinal));
    }

    [Fact]
    public void Catches_a_storage_level_that_does_not_follow_from_the_flows()
    {
        var (market, flows, prices, levels) = Feasible();
        levels[15] += 5;
        Assert.Contains(Check(market, flows, prices, levels), v => v.Contains("period 16: reported storage level", StringComparison.Ordinal));
    }

    [Fact]
    public void Catches_drawing_energy_never_stored()
    {
        var (market, flows, prices, levels) = Feasible();
        // Hour 7: class C (buyer) takes 10 kWh from an empty account instead of the grid.
        var f = flows[6, 2];
        flows[6, 2] = f with { StorageOwnUseKwh = 10, BoughtGridKwh = f.BoughtGridKwh - 10 };
        Assert.Contains(Check(market, flows, prices, levels), v => v.Contains("below zero", StringComparison.Ordinal));
    }

    [Fact]
    public void Catches_price_bounds_eqs_3_to_6()
    {
        var (market, flows, prices, levels) = Feasible();
        prices[0] = new PeriodPrices(0.30, 0.37);   // buyer price above the company's 0.35
        prices[10] = new PeriodPrices(0.50, 0.60);  // gap 0.10 ≠ fees 0.07
        prices[12] = new PeriodPrices(0.93, 1.00 + 1e-3); // above the 1.00 ceiling
        var violations = Check(market, flows, prices, levels);
        Assert.Contains(violations, v => v.StartsWith("period 1: eq. (4)", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.StartsWith("period 11: eq. (6)", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.StartsWith("period 13: eq. (5)", StringComparison.Ordinal));
    }

    [Fact]
    public void Catches_buying_from_grid_and_company_at_once_eq_17_and_unmet_demand()
    {
        var (market, flows, prices, levels) = Feasible();
        var f = flows[6, 2];
        flows[6, 2] = f with { BoughtGridKwh = f.BoughtGridKwh - 5, BoughtCompanyKwh = 4, UsesCompany = false };
        var violations = Check(market, flows, prices, levels);
        Assert.Contains(violations, v => v.Contains("eq. (17)", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.Contains("demand", StringComparison.Ordinal));
    }

    [Fact]
    public void Market_prices_always_satisfy_eqs_3_to_6()
    {
        for (int s = 0; s < 3; s++)
        {
            var market = PaperScenarios.Market(s);
            for (int t = 0; t < market.PeriodCount; t++)
            {
                var p = market.Prices[t];
                Assert.True(p.SellerPricePerKwh < p.BuyerPricePerKwh);
                Assert.True(p.BuyerPricePerKwh < market.AlternativePricePerKwh(t));
                Assert.InRange(p.BuyerPricePerKwh, 0.20, 1.00);
                Assert.Equal(0.07, p.BuyerPricePerKwh - p.SellerPricePerKwh, 12);
                Assert.InRange(market.PriceSatisfaction[t], 0.0, 1.0);
            }
        }
    }
}
