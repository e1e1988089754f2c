using Gateway.Market.Decision;
using Gateway.Market.Model;

namespace Gateway.Market.Tests.Rounds;

/// <summary>
/// Issue #17, found by the 6-hour soak (round 12:45): the chargers at a PV node were confirmed at their loads, then a
/// link-wide outage took the PV caps. The re-check cancelled the PV sellers' trades and idled the chargers, and the
/// line to that node was left carrying the PVs' uncurtailed output with none of the load that balanced it. A PV that
/// missed its cap still produces: its trades stand and its buyers keep their load, as far as the line holds with the
/// PV anywhere between 0 kW and its rating.
/// </summary>
public sealed class PvCapRecheckTests
{
    // n0 —L3 (20 kW)— n3: four 8 kW PVs and the chargers at n3, 1 kW of base load. A 15-minute interval.
    private static MarketRound Round(int buyers, double buyerKw)
    {
        var participants = new List<Quotation>();
        for (var j = 0; j < 4; j++)
            participants.Add(new Quotation($"pv{j}", ParticipantKind.Pv, TradeRole.Seller, "n3", 8 * 0.25, 8, 2, MaintenancePerKwh: 0.1));
        for (var i = 0; i < buyers; i++)
            participants.Add(new Quotation($"ev{i}", ParticipantKind.Ev, TradeRole.Buyer, "n3", buyerKw * 0.25, buyerKw, 1, 0.15, 2));
        var feeder = new Feeder("n0", [new FeederNode("n0"), new FeederNode("n3", 1)], [new FeederLine("L3", "n0", "n3", 20)]);
        return new MarketRound("r", 0.25, 1.0105, 0.3, participants, null, feeder);
    }

    private static List<DispatchFailure> CapsMissed() =>
        [.. Enumerable.Range(0, 4).Select(j => new DispatchFailure($"pv{j}", "n3", 0, 8, "no answer in time (link-wide outage)"))];

    [Fact]
    public void A_PV_seller_that_misses_its_cap_keeps_its_trades_and_its_buyers_their_load()
    {
        var round = Round(buyers: 4, buyerKw: 4.19);
        var core = new MarketCore();
        var cleared = core.Clear(round);
        var executed = cleared.Trades.Where(t => t.Status == TradeStatus.Executed).ToList();
        Assert.Equal(4, executed.Select(t => t.BuyerId).Distinct().Count());

        var d = core.Recheck(round, cleared, CapsMissed());

        // Every trade stands: the buyers keep charging what they bought against the PVs' 0..32 kW.
        Assert.Equal(executed.Select(t => (t.BuyerId, t.SellerId, t.EnergyKwh)),
            d.Trades.Where(t => t.Status == TradeStatus.Executed).Select(t => (t.BuyerId, t.SellerId, t.EnergyKwh)));
        var loadKw = d.Trades.Where(t => t.Status == TradeStatus.Executed).Sum(t => t.EnergyKwh) / round.IntervalHours;
        Assert.Equal(executed.Sum(t => t.EnergyKwh) / round.IntervalHours, loadKw, 9);
        // L3 (towards n3) with the PVs at either end of their range: 1 + load − 32 and 1 + load − 0 kW, within 20 kW
        // (the PVs alone would send 31 kW up it).
        Assert.InRange(1 + loadKw - 32, -20, 20);
        Assert.InRange(1 + loadKw - 0, -20, 20);
        // No PV cap is recomputed for a PV the gateway cannot reach; the trades settle (on metered energy, later).
        Assert.Empty(d.FeedIn);
        Assert.Equal(executed.Count, d.Settlements.Count(s => s.PayeeId.StartsWith("pv", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_buyer_is_still_curtailed_when_its_load_would_overload_the_line_with_the_PV_at_0_kW()
    {
        // Five chargers of 4.5 kW: 22.5 kW of load plus 1 kW of base load is over L3's 20 kW if the PVs give nothing.
        var round = Round(buyers: 5, buyerKw: 4.5);
        var core = new MarketCore();
        var cleared = core.Clear(round);
        Assert.Equal(5, cleared.Trades.Where(t => t.Status == TradeStatus.Executed).Select(t => t.BuyerId).Distinct().Count());

        var d = core.Recheck(round, cleared, CapsMissed());

        var loadKw = d.Trades.Where(t => t.Status == TradeStatus.Executed).Sum(t => t.EnergyKwh) / round.IntervalHours;
        Assert.InRange(1 + loadKw - 32, -20, 20);
        Assert.InRange(1 + loadKw, -20, 20);
        var cancelled = Assert.Single(d.Trades, t => t.Status == TradeStatus.Failed && t.CancelledBecause is not null);
        Assert.Equal("L3", cancelled.FailedLineId);
    }
}
