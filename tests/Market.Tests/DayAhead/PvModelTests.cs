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
        // Hour 13: PV = 760·44·0.2·(1 + 0.0045·18)/1000 = 7.23976 kW per user.
        double pv = 0.76 * 44 * 0.2 * (1 + 0.0045 * 18);
        Assert.Equal(pv, market.PvPowerPerUserKw[12], 9);
        // Class A does not charge at 13 → seller of 80 · pv; class C charges 6.6 kW → seller of 40 · (pv − 6.6).
        Assert.Equal(80 * pv, market.SurplusKwh(12, 0), 9);
        Assert.Equal(40 * (pv - 6.6), market.SurplusKwh(12, 2), 9);
        // Hour 7: no PV, class C charges → buyer of 40 · 6.6 kWh.
        Assert.True(market.IsBuyer(6, 2));
        Assert.Equal(40 * 6.6, market.DemandKwh(6, 2), 9);
        Assert.False(market.IsBuyer(6, 1));
    }
}
