using Gateway.Market.Decision;

namespace Gateway.Market.Tests.Rounds;

public sealed class MeteredSettlementsTests
{
    private static RoundDecision Decision(IReadOnlyList<Trade> trades, IReadOnlyList<SmesAction>? smes = null, SmesOutcome? outcome = null) =>
        new("r", [], [], [], trades, smes ?? [], outcome, new Dictionary<string, double>(), new Dictionary<string, double>(), [], [],
            new RoundKpis(trades.Count, trades.Count, 0, 1, 0, 0, 0, 0), []);

    [Fact]
    public void A_trade_delivered_in_full_is_settled_on_its_planned_energy_at_its_price()
    {
        var d = Decision([new Trade("ev-b", "pv-1", 4, 1, 0.7, 0.5, 0.5, TradeStatus.Executed, null)]);
        var s = Assert.Single(MeteredSettlements.Compute(d, new Dictionary<string, double> { ["pv-1"] = 4.5, ["ev-b"] = -4.2 }));
        Assert.Equal(("ev-b", "pv-1", 4m, 0.7m, 2.8m), (s.PayerId, s.PayeeId, s.EnergyKwh, s.PricePerKwh, s.Amount));
    }

    [Fact]
    public void A_device_that_missed_its_setpoint_is_settled_on_what_it_metered()
    {
        // The buyer took only half of what it bought (its charger stopped at 2 kWh of 4).
        var d = Decision([new Trade("ev-b", "pv-1", 4, 1, 0.7, 0.5, 0.5, TradeStatus.Executed, null)]);
        var s = Assert.Single(MeteredSettlements.Compute(d, new Dictionary<string, double> { ["pv-1"] = 4, ["ev-b"] = -2 }));
        Assert.Equal(2m, s.EnergyKwh);
        Assert.Equal(1.4m, s.Amount);
    }

    [Fact]
    public void Delivery_shared_by_several_trades_is_split_pro_rata_and_never_exceeds_the_meter()
    {
        var d = Decision([
            new Trade("ev-a", "ev-s", 3, 1, 0.6, 0.5, 0.5, TradeStatus.Executed, null),
            new Trade("ev-b", "ev-s", 1, 1, 0.8, 0.5, 0.5, TradeStatus.Executed, null),
        ]);
        var s = MeteredSettlements.Compute(d, new Dictionary<string, double> { ["ev-s"] = 2, ["ev-a"] = -3, ["ev-b"] = -1 });
        Assert.Equal(1.5m, s[0].EnergyKwh);
        Assert.Equal(0.5m, s[1].EnergyKwh);
        Assert.Equal(2m, s.Sum(x => x.EnergyKwh));
    }

    [Fact]
    public void A_participant_with_no_meter_reading_is_settled_at_zero_and_failed_trades_not_at_all()
    {
        var d = Decision([
            new Trade("ev-a", "pv-1", 3, 1, 0.6, 0.5, 0.5, TradeStatus.Executed, null),
            new Trade("ev-b", "pv-1", 2, 1, 0.6, 0.5, 0.5, TradeStatus.Failed, "L13"),
        ]);
        var s = Assert.Single(MeteredSettlements.Compute(d, new Dictionary<string, double> { ["pv-1"] = 3 }));
        Assert.Equal(0m, s.EnergyKwh);
    }

    [Fact]
    public void The_SMES_fallback_is_settled_with_the_SMES_as_counterparty()
    {
        var d = Decision(
            [new Trade("ev-b", "pv-1", 2, 1, 0.6, 0.5, 0.5, TradeStatus.Failed, "L13")],
            [new SmesAction("ev-b", SmesDirection.Discharge, 2, 2, 0.6, "ev-b", "pv-1", null), new SmesAction("pv-1", SmesDirection.Charge, 1, 2, 0.6, "ev-b", "pv-1", "energy")],
            new SmesOutcome("smes", 2, 1, 1, 10, 9, 500, 0.1));
        var s = MeteredSettlements.Compute(d, new Dictionary<string, double> { ["smes"] = 1, ["ev-b"] = -2, ["pv-1"] = 1 });
        Assert.Equal(2, s.Count);
        Assert.Equal(("ev-b", "smes", 2m), (s[0].PayerId, s[0].PayeeId, s[0].EnergyKwh));
        Assert.Equal(("smes", "pv-1", 1m), (s[1].PayerId, s[1].PayeeId, s[1].EnergyKwh));
    }
}
