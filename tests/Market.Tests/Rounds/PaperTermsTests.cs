using Gateway.Market.Decision;
using Gateway.Market.Model;

namespace Gateway.Market.Tests.Rounds;

/// <summary>
/// Eqs. 1–3 as written, computed by hand on rounds small enough to follow, and each named deviation beside them.
/// </summary>
public sealed class PaperTermsTests
{
    // n0 is the substation. L1 (2 kW) feeds the buyer's node n1; L2 (100 kW) feeds n2 with the PV and the SMES.
    private static MarketRound CongestedPair(MarketRules rules) => new(
        "eq1", 1, 1.0, 0.3,
        [
            new Quotation("b", ParticipantKind.Ev, TradeRole.Buyer, "n1", 4, 7),
            new Quotation("s", ParticipantKind.Pv, TradeRole.Seller, "n2", 4, 5, MaintenancePerKwh: 0.1),
        ],
        // 72 H at 1000 A holds ½·72·1000² J = 10 kWh; 2000 A would be 40 kWh; lossless converter, k_sm = 0.05.
        new SmesUnit("smes", "n2", 72, 1000, 0, 2000, 10, 1, 0.05),
        new Feeder("n0", [new FeederNode("n0"), new FeederNode("n1"), new FeederNode("n2")],
            [new FeederLine("L1", "n0", "n1", 2), new FeederLine("L2", "n0", "n2", 100)]))
    { Rules = rules };

    [Fact]
    public void Eq1_smes_revenue_on_the_net_power_at_the_grid_price_by_hand()
    {
        var d = new MarketCore().Clear(CongestedPair(MarketRules.Paper));

        // The 4 kW trade crosses L1 (2 kW): it fails, 2 kW over. The SMES serves the buyer as far as L1 allows (2 kWh) and
        // absorbs all 4 kWh of PV at its own node: P_sm = (2 − 4) / 1 h = −2 kW.
        var t = Assert.Single(d.Trades);
        Assert.Equal(TradeStatus.Failed, t.Status);
        Assert.Equal("L1", t.FailedLineId);
        Assert.Equal(2, t.OverloadKw!.Value, 9);
        Assert.Equal(2, d.Smes!.DischargedKwh, 9);
        Assert.Equal(4, d.Smes.ChargedKwh, 9);
        Assert.Equal(-2, d.Smes.NetPowerKw, 9);

        // Eq. (1): R_sm = C_ep·P_sm·Δt − k_sm·|P_sm|·Δt = 1.0·(−2)·1 − 0.05·2·1 = −2.1.
        Assert.Equal(-2.1, d.Smes.Revenue, 9);
        // Settled at C_ep: the buyer pays 2 × 1.0, the SMES pays the PV 4 × 1.0 — its cash is C_ep·P_sm·Δt.
        Assert.Contains(d.Settlements, x => x.PayerId == "b" && x.PayeeId == "smes" && Math.Abs(x.Amount - 2.0) < 1e-9);
        Assert.Contains(d.Settlements, x => x.PayerId == "smes" && x.PayeeId == "s" && Math.Abs(x.Amount - 4.0) < 1e-9);
        // The coil runs at the net: it takes 2 kWh (η = 1), 10 → 12 kWh, I = √(2·12·3.6e6 / 72) A.
        Assert.Equal(12, d.Smes.StoredEnergyAfterKwh, 9);
        Assert.Equal(Math.Sqrt(2 * 12 * 3.6e6 / 72), d.Smes.CurrentAfterA, 6);
        // Realised: the buyer paid the grid price (0 relative), the PV got 1.0 for a kWh it values at 0.3.
        Assert.Equal(0, d.RealizedIncome["b"], 9);
        Assert.Equal(4 * (1.0 - 0.3), d.RealizedIncome["s"], 9);
        Assert.Equal(2.8 - 2.1, d.Kpis.TotalWelfare, 9);
        Assert.Equal((2 + 4) / 2.0 / 4, d.Kpis.TransactionSuccessRate, 9);
    }

    [Fact]
    public void The_trade_price_deviation_keeps_each_side_at_its_failed_trades_price()
    {
        var d = new MarketCore().Clear(CongestedPair(MarketRules.Paper with { SmesSettlement = SmesSettlementRule.TradePriceGross }));
        // One pair: the nucleolus halves Q = (1.0 − 0.3)·4 = 2.8, so p = 1.0 − 1.4/4 = 0.65.
        var t = Assert.Single(d.Trades);
        Assert.Equal(0.65, t.PricePerKwh, 6);
        // Revenue Σ p·(discharged − charged) − k_sm·(discharged + charged) = 0.65·2 − 0.65·4 − 0.05·6 = −1.6.
        Assert.Equal(-1.6, d.Smes!.Revenue, 6);
        Assert.All(d.SmesActions.Where(a => a.EnergyKwh > 0), a => Assert.Equal(0.65, a.PricePerKwh, 6));
    }

    // One EV buyer (travels 3 km at 0.2 kWh/km) and one EV seller (p₀ = 0.4, η = 0.8, 2 km at 0.1 kWh/km, B_j = 0.25 per
    // trade), 5 kWh each, C_ep = 1.2, no congestion.
    private static MarketRound EvPair(MarketRules rules) => new(
        "eq23", 1, 1.2, 0.3,
        [
            new Quotation("b", ParticipantKind.Ev, TradeRole.Buyer, "n0", 5, 7, 1, 0.2, 3),
            new Quotation("s", ParticipantKind.Ev, TradeRole.Seller, "n0", 5, 7, 1, 0.1, 2, 0.4, 0.8, BatteryWearPerTrade: 0.25),
        ],
        null, new Feeder("n0", [new FeederNode("n0")], []))
    { Rules = rules };

    [Fact]
    public void Eq2_travel_at_the_trade_price_and_eq3_wear_per_trade_by_hand()
    {
        var d = new MarketCore().Clear(EvPair(MarketRules.Paper));
        var t = Assert.Single(d.Trades);
        // Eq. 3: c = p₀/η = 0.5, F_s = p₀·λ_j·D_j + B_j = 0.08 + 0.25 = 0.33. Eq. 2: e_b = λ_i·D_i = 0.6 kWh at p.
        // Q(p) = (1.2 − 0.5)·5 − 0.6·p − 0.33 = 3.17 − 0.6·p; one pair, so the nucleolus halves it: x_b = Q/2, and
        // x_b = (1.2 − p)·5 − 0.6·p gives 6 − 5.6·p = (3.17 − 0.6·p)/2, so p = 4.415 / 5.3.
        var p = 4.415 / 5.3;
        Assert.Equal(p, t.PricePerKwh, 7);
        Assert.Equal(3.17 - 0.6 * p, t.Weight, 7);
        Assert.Equal((1.2 - p) * 5 - 0.6 * p, t.BuyerPayoff, 7);
        Assert.Equal((p - 0.5) * 5 - 0.33, t.SellerPayoff, 7);
    }

    [Fact]
    public void The_grid_price_deviation_values_the_travel_at_c_ep()
    {
        var d = new MarketCore().Clear(EvPair(MarketRules.Paper with { BuyerTravel = BuyerTravelPricing.GridPrice }));
        var t = Assert.Single(d.Trades);
        // Q = 3.17 − 0.6·1.2 = 2.45, x_b = 1.225 = (1.2 − p)·5 − 0.72, p = 1.2 − (1.225 + 0.72)/5.
        Assert.Equal(2.45, t.Weight, 7);
        Assert.Equal(1.2 - (1.225 + 0.72) / 5, t.PricePerKwh, 7);
    }

    [Fact]
    public void Travel_per_trade_as_written_or_shared_over_lots_and_wear_per_trade_or_per_kwh()
    {
        var buyer = new Quotation("b", ParticipantKind.Ev, TradeRole.Buyer, "n0", 6, 7, 2, 0.2, 3);
        var seller = new Quotation("s", ParticipantKind.Ev, TradeRole.Seller, "n0", 6, 7, 3, 0.1, 2, 0.4, 0.8, BatteryWearPerKwh: 0.02, BatteryWearPerTrade: 0.25);
        Assert.Equal(0.6, BenefitModel.BuyerTravelEnergyKwh(buyer, MarketRules.Paper), 12);
        Assert.Equal(0.3, BenefitModel.BuyerTravelEnergyKwh(buyer, MarketRules.Paper with { TravelCost = TravelCostSharing.SharedOverLots }), 12);
        Assert.Equal(0.08 + 0.25, BenefitModel.SellerFixedCost(seller, MarketRules.Paper), 12);
        Assert.Equal(0.08 / 3 + 0.25, BenefitModel.SellerFixedCost(seller, MarketRules.Paper with { TravelCost = TravelCostSharing.SharedOverLots }), 12);
        var round = new MarketRound("w", 1, 1.2, 0.3, [buyer, seller], null, new Feeder("n0", [new FeederNode("n0")], []));
        // The per-kWh wear (an extension) adds to c; B_j counts once per trade whatever its size: q = min(6/2, 6/3) = 2.
        Assert.Equal(0.5 + 0.02, BenefitModel.SellerCostPerKwh(seller, round), 12);
        Assert.Equal((1.2 - 0.52) * 2 - 1.0 * 0.6 - 0.33, BenefitModel.PairWeight(buyer, seller, round, 1.0), 12);
    }
}
