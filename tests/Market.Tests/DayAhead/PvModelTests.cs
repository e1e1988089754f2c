using Gateway.Market.DayAhead;

namespace Gateway.Market.Tests.DayAhead;

public class PvModelTests
{
    private static readonly PvParameters Pv = new(44, 0.20, 0.0045, 298);

    [Fact]
    public void Efficiency_at_the_reference_temperature_is_the_reference_efficiency()
    {
        Assert.Equal(0.20, PvModel.Efficiency(Pv, 298), 12);
    }

    [Fact]
    public void Efficiency_rises_when_colder_per_eq_1()
    {
        // η = 0.20 · (1 − 0.0045 · (281 − 298)) = 0.20 · 1.0765 = 0.2153
        Assert.Equal(0.2153, PvModel.Efficiency(Pv, 281), 12);
        // η = 0.20 · (1 − 0.0045 · (318 − 298)) = 0.20 · 0.91 = 0.182
        Assert.Equal(0.182, PvModel.Efficiency(Pv, 318), 12);
    }

    [Fact]
    public void Power_is_irradiance_times_area_times_efficiency_per_eq_2()
    {
        // 760 W/m² · 44 m² · 0.2153 = 7199.632 W
        Assert.Equal(7.199632, PvModel.PowerKw(Pv, 760, 281), 9);
        // 1000 W/m² · 44 m² · 0.20 = 8.8 kW
        Assert.Equal(8.8, PvModel.PowerKw(Pv, 1000, 298), 12);
    }

    [Fact]
    public void Night_gives_no_power_and_never_negative()
    {
        Assert.Equal(0.0, PvModel.PowerKw(Pv, 0, 270));
        Assert.Equal(0.0, PvModel.PowerKw(Pv, -5, 270));
        Assert.Equal(0.0, PvModel.PowerKw(new PvParameters(44, 0.2, 0.05, 298), 800, 400));
    }

    [Fact]
    public void Market_splits_classes_into_buyers_and_sellers_from_pv_and_table_1()
    {
        var market = PaperScenarios.Market(0);
        // Hour 21: PV = 214 W/m² · 44 m² · 0.2 · (1 + 0.0045 · 25.5) / 1000 ≈ 2.099 kW per user.
        double pv = 0.214 * 44 * 0.2 * (1 + 0.0045 * (298 - 272.5));
        Assert.Equal(pv, market.PvPowerPerUserKw[20], 9);
        // Class A needs 2.0 kW at 21 h: its PV covers it (the paper: "it can still meet the demand") → seller of 80 · (pv − 2).
        Assert.False(market.IsBuyer(20, 0));
        Assert.Equal(80 * (pv - 2.0), market.SurplusKwh(20, 0), 9);
        // Class B needs 3.0 kW and C 5.0 kW: both buy at 21 h.
        Assert.Equal(50 * (3.0 - pv), market.DemandKwh(20, 1), 9);
        Assert.Equal(40 * (5.0 - pv), market.DemandKwh(20, 2), 9);
        // Hour 7: no PV, class C charges → buyer of 40 · 5.0 kWh; class B is on its trip.
        Assert.Equal(40 * 5.0, market.DemandKwh(6, 2), 9);
        Assert.False(market.IsHome(6, 1));
        Assert.Equal(0, market.EvDischargeLimitKwh(6, 1));
        Assert.Equal(80 * 7.0, market.EvDischargeLimitKwh(6, 0), 9);
    }

    [Fact]
    public void The_pv_shape_makes_the_papers_statements_about_who_its_own_pv_covers_hold()
    {
        var market = PaperScenarios.Market(0);
        int A = 0, B = 1, C = 2;
        // Class A: covered at 14 and 17–21 h, buys at 5–8 and 22–24 h (Fig. 5 text).
        foreach (int h in new[] { 14, 17, 18, 19, 20, 21 })
        {
            Assert.False(market.IsBuyer(h - 1, A), $"A at {h} h");
        }
        foreach (int h in new[] { 5, 6, 7, 8, 22, 23, 24 })
        {
            Assert.True(market.IsBuyer(h - 1, A), $"A at {h} h");
        }
        // Class B: covered at 12–13, 15 and 18 h, buys at 1–5 and 21–24 h (Fig. 7 text).
        foreach (int h in new[] { 12, 13, 15, 18 })
        {
            Assert.False(market.IsBuyer(h - 1, B), $"B at {h} h");
        }
        foreach (int h in new[] { 1, 5, 21, 24 })
        {
            Assert.True(market.IsBuyer(h - 1, B), $"B at {h} h");
        }
        // Class C: buys at 7–11 and 19–23 h, covered at 12–13 and 16–17 h (Fig. 8 text).
        foreach (int h in new[] { 7, 9, 11, 19, 21, 23 })
        {
            Assert.True(market.IsBuyer(h - 1, C), $"C at {h} h");
        }
        foreach (int h in new[] { 12, 13, 16, 17 })
        {
            Assert.False(market.IsBuyer(h - 1, C), $"C at {h} h");
        }
    }
}
