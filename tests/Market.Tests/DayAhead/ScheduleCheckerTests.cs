using Gateway.Market.DayAhead;

namespace Gateway.Market.Tests.DayAhead;

/// <summary>The checker itself must catch each kind of violation, or the property tests prove nothing.</summary>
public class ScheduleCheckerTests
{
    private sealed class Plan
    {
        public required DayAheadMarket Market { get; init; }
        public required ClassPeriodFlows[,] Flows { get; init; }
        public required PeriodPrices[] Prices { get; init; }
        public required double[] Levels { get; init; }
        public required double[,] Ev { get; init; }
        public required double[,] Accounts { get; init; }

        public IReadOnlyList<string> Check() => ScheduleChecker.Check(Market, new DayAheadSchedule(Flows, Prices, Levels, Ev, Accounts));
    }

    private static Plan Feasible(double gene = 1.0)
    {
        var market = PaperScenarios.Market(0);
        var schedule = ScheduleDecoder.Decode(market, Enumerable.Repeat(gene, ScheduleDecoder.Dimension(market)).ToArray());
        int periods = market.PeriodCount, classes = market.ClassCount;
        var flows = new ClassPeriodFlows[periods, classes];
        var ev = new double[periods, classes];
        var accounts = new double[periods, classes];
        for (int t = 0; t < periods; t++)
        {
            for (int k = 0; k < classes; k++)
            {
                flows[t, k] = schedule[t, k];
                ev[t, k] = schedule.EvEnergyKwh(t, k);
                accounts[t, k] = schedule.AccountKwh(t, k);
            }
        }
        return new Plan { Market = market, Flows = flows, Prices = schedule.Prices.ToArray(), Levels = schedule.StorageEnergyKwh.ToArray(), Ev = ev, Accounts = accounts };
    }

    [Fact]
    public void Accepts_a_decoded_schedule()
    {
        Assert.Empty(Feasible().Check());
    }

    [Fact]
    public void Catches_unbalanced_trade_eq_7()
    {
        var p = Feasible();
        // Hour 9: class C buys. Move one kWh of its grid or company share onto peers nobody sold.
        var f = p.Flows[8, 2];
        Assert.True(p.Market.IsBuyer(8, 2));
        p.Flows[8, 2] = f.UsesCompany
            ? f with { BoughtPeerKwh = f.BoughtPeerKwh + 1, BoughtCompanyKwh = f.BoughtCompanyKwh - 1 }
            : f with { BoughtPeerKwh = f.BoughtPeerKwh + 1, BoughtGridKwh = f.BoughtGridKwh - 1 };
        Assert.Contains(p.Check(), v => v.Contains("eq. (7)", StringComparison.Ordinal) && v.Contains("period 9", StringComparison.Ordinal));
    }

    [Fact]
    public void Catches_storage_above_power_eq_31_and_levels_that_do_not_follow()
    {
        var p = Feasible();
        // Hour 13: class A (seller) stores 400 kWh more than the 300 kW limit allows, taken from curtailment or the EV share.
        var f = p.Flows[12, 0];
        double extra = 400;
        p.Flows[12, 0] = f with { PvStoredKwh = f.PvStoredKwh + extra, PvToEvKwh = 0, PvSoldKwh = 0, PvCurtailedKwh = 0 };
        var violations = p.Check();
        Assert.Contains(violations, v => v.Contains("eq. (31)", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.Contains("reported storage level", StringComparison.Ordinal));
    }

    [Fact]
    public void Catches_a_storage_level_that_does_not_follow_from_the_flows()
    {
        var p = Feasible();
        p.Levels[15] += 5;
        Assert.Contains(p.Check(), v => v.Contains("period 16: reported storage level", StringComparison.Ordinal));
    }

    [Fact]
    public void Catches_drawing_energy_never_stored()
    {
        var p = Feasible();
        // Hour 7: class C (buyer) takes 10 kWh from an empty account instead of the grid.
        var f = p.Flows[6, 2];
        p.Flows[6, 2] = f with { StorageOwnUseKwh = 10, BoughtGridKwh = f.BoughtGridKwh - 10 };
        Assert.Contains(p.Check(), v => v.Contains("below zero", StringComparison.Ordinal));
    }

    [Fact]
    public void Catches_ev_discharge_below_the_reserve_and_while_away()
    {
        var p = Feasible(0.0);
        // Hour 6: class B is on a trip; hour 1: class A's EVs are at their reserve, so V2G would go below it.
        var f = p.Flows[5, 1];
        p.Flows[5, 1] = f with { PvCurtailedKwh = f.PvCurtailedKwh, EvSoldKwh = 0 };
        p.Flows[0, 0] = p.Flows[0, 0] with { EvSoldKwh = 5 };
        var violations = p.Check();
        Assert.Contains(violations, v => v.StartsWith("period 1, class A: EV energy", StringComparison.Ordinal) && v.Contains("outside the battery window", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.StartsWith("period 1: eq. (7)", StringComparison.Ordinal));

        var q = Feasible(0.0);
        Assert.False(q.Market.IsHome(5, 1));
        q.Flows[5, 1] = q.Flows[5, 1] with { EvOwnUseKwh = 0, EvSoldKwh = 1 };
        Assert.Contains(q.Check(), v => v.StartsWith("period 6, class B: the EVs are away", StringComparison.Ordinal));
    }

    [Fact]
    public void Catches_price_bounds_eqs_3_to_6()
    {
        var p = Feasible();
        p.Prices[0] = new PeriodPrices(0.30, 0.37);   // buyer price above the company's 0.35
        p.Prices[10] = new PeriodPrices(0.50, 0.60);  // gap 0.10 ≠ fees 0.07
        p.Prices[12] = new PeriodPrices(0.93, 1.00 + 1e-3); // above the 1.00 ceiling
        var violations = p.Check();
        Assert.Contains(violations, v => v.StartsWith("period 1: eq. (4)", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.StartsWith("period 11: eq. (6)", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.StartsWith("period 13: eqs. (5), (8)", StringComparison.Ordinal));
    }

    [Fact]
    public void Catches_buying_from_grid_and_company_at_once_eq_17_and_unmet_need()
    {
        var p = Feasible();
        var f = p.Flows[6, 2];
        p.Flows[6, 2] = f with { BoughtGridKwh = f.BoughtGridKwh + f.BoughtCompanyKwh - 5, BoughtCompanyKwh = 4, UsesCompany = false };
        var violations = p.Check();
        Assert.Contains(violations, v => v.Contains("eq. (17)", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.Contains("need", StringComparison.Ordinal));
    }

    [Fact]
    public void Catches_the_company_where_it_is_not_cheaper_and_own_use_the_rules_forbid()
    {
        var market = PaperScenarios.Market(0);
        // Hour 7: grid 0.40, company 0.55 — the company may not serve; class C is a buyer then.
        Assert.False(market.CompanyAllowed(6));
        var p = Feasible();
        var f = p.Flows[6, 2];
        double rest = f.BoughtGridKwh + f.BoughtCompanyKwh;
        p.Flows[6, 2] = f with { BoughtGridKwh = 0, BoughtCompanyKwh = rest, UsesCompany = true };
        Assert.Contains(p.Check(), v => v.Contains("companyOnlyWhenCheaper", StringComparison.Ordinal));

        var strict = DayAheadMarket.Create(market.Scenario with { Rules = market.Scenario.Rules with { OwnUse = false } });
        var withOwnUse = ScheduleDecoder.Decode(market, Enumerable.Repeat(1.0, ScheduleDecoder.Dimension(market)).ToArray());
        Assert.Contains(ScheduleChecker.Check(strict, withOwnUse), v => v.Contains("ownUse: false", StringComparison.Ordinal));
    }

    [Fact]
    public void The_price_band_of_every_period_satisfies_eqs_3_to_6_and_8()
    {
        for (int s = 0; s < 3; s++)
        {
            var market = PaperScenarios.Market(s);
            for (int t = 0; t < market.PeriodCount; t++)
            {
                foreach (var p in new[] { market.PricesAt(t, 0), market.PricesAt(t, 1), market.RulePrices[t] })
                {
                    Assert.True(p.SellerPricePerKwh < p.BuyerPricePerKwh);
                    Assert.True(p.BuyerPricePerKwh < market.AlternativePricePerKwh(t));
                    Assert.InRange(p.BuyerPricePerKwh, 0.20, 1.00);
                    Assert.True(p.SellerPricePerKwh >= 0.09 - 1e-12, "eq. (8): the seller price covers C_PV + C_EV");
                    Assert.Equal(0.07, p.BuyerPricePerKwh - p.SellerPricePerKwh, 12);
                }
            }
        }
    }
}
