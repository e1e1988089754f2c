using Gateway.Market.Contracts;
using Gateway.Market.Decision;
using Gateway.Market.Matching;
using Gateway.Market.Model;
using Gateway.Market.Validation;

namespace Gateway.Market.Tests.Rounds;

/// <summary>Issue 18 items 5 and 6: the currency unit changes nothing but the prices; numbers no solver can represent are refused; an empty round is a result.</summary>
public sealed class ScaleAndBoundsTests
{
    /// <summary>The bench's round shape (EV buyers with 2 lots, PV and EV sellers with 3, a congested line, an SMES) with every price × k.</summary>
    internal static MarketRound BenchRound(Random rnd, int buyers, int sellers, double k)
    {
        var nodes = Enumerable.Range(0, 9).Select(i => new FeederNode($"n{i}", i % 3 == 0 ? 1 : 0)).ToList();
        var lines = Enumerable.Range(1, 8).Select(i => new FeederLine($"L{i}", $"n{(i - 1) / 2}", $"n{i}", i == 3 ? 10 : 500)).ToList();
        var q = new List<Quotation>();
        for (var i = 0; i < buyers; i++) q.Add(new Quotation($"b{i:D4}", ParticipantKind.Ev, TradeRole.Buyer, $"n{rnd.Next(0, 9)}", 1 + rnd.NextDouble() * 6, 7.4, 2, 0.15, 2));
        for (var j = 0; j < sellers; j++)
            q.Add(j % 2 == 0
                ? new Quotation($"s{j:D4}", ParticipantKind.Pv, TradeRole.Seller, $"n{rnd.Next(0, 9)}", 1 + rnd.NextDouble() * 8, 10, 3, MaintenancePerKwh: 0.1 * k)
                : new Quotation($"s{j:D4}", ParticipantKind.Ev, TradeRole.Seller, $"n{rnd.Next(0, 9)}", 1 + rnd.NextDouble() * 6, 7.4, 3, 0.15, 2, 0.45 * k, 0.95, BatteryWearPerTrade: 0.2 * k));
        return new MarketRound("bench", 1, 1.0105 * k, 0.3 * k, q, new SmesUnit("smes", "n4", 60, 900, 150, 1300, 60, 0.97, 0.05 * k), new Feeder("n0", nodes, lines));
    }

    [Theory]
    [InlineData(1000.0)]
    [InlineData(1024.0)]
    [InlineData(0.001)]
    public void Multiplying_every_price_by_k_changes_nothing_but_the_prices(double k)
    {
        var one = BenchRound(new Random(7), 120, 120, 1);
        var scaled = BenchRound(new Random(7), 120, 120, k);
        var a = new MarketCore().Clear(one);
        var b = new MarketCore().Clear(scaled);
        Assert.Equal(CandidateGraph.Build(one).Edges, CandidateGraph.Build(scaled).Edges);
        Assert.Equal(a.Candidates.Select(c => (c.BuyerId, c.SellerId)), b.Candidates.Select(c => (c.BuyerId, c.SellerId)));
        Assert.Equal(a.Trades.Select(t => (t.BuyerId, t.SellerId, t.Status, t.FailedLineId)), b.Trades.Select(t => (t.BuyerId, t.SellerId, t.Status, t.FailedLineId)));
        var scale = a.Trades.Max(t => t.Weight);
        for (var i = 0; i < a.Trades.Count; i++)
        {
            Assert.Equal(a.Trades[i].PricePerKwh * k, b.Trades[i].PricePerKwh, 1e-9 * k * 2);
            Assert.Equal(a.Trades[i].BuyerPayoff * k, b.Trades[i].BuyerPayoff, 1e-7 * scale * k);
        }

        Assert.Equal(a.SmesActions.Select(x => (x.CounterpartyId, Math.Round(x.EnergyKwh, 9))), b.SmesActions.Select(x => (x.CounterpartyId, Math.Round(x.EnergyKwh, 9))));
        Assert.Equal(a.Kpis.TransactionSuccessRate, b.Kpis.TransactionSuccessRate, 12);
        Assert.Equal(a.Kpis.TotalWelfare * k, b.Kpis.TotalWelfare, 1e-7 * Math.Abs(a.Kpis.TotalWelfare) * k);
    }

    [Fact]
    public void A_grid_price_of_1e308_is_refused_naming_the_field()
    {
        var json = RoundJson.Serialize(BenchRound(new Random(1), 3, 3, 1)).Replace("\"gridPricePerKwh\": 1.0105", "\"gridPricePerKwh\": 1e308");
        var e = Assert.Throws<RoundValidationException>(() => RoundJson.Parse(json));
        var error = Assert.Single(e.Errors);
        Assert.Equal("gridPricePerKwh", error.Path);
        Assert.Contains("must be ≤ 1000000", error.Message);
    }

    [Theory]
    [InlineData("energyKwh", 1e6)]
    [InlineData("maxPowerKw", 1e300)]
    [InlineData("chargingPricePerKwh", 1e12)]
    [InlineData("batteryWearPerTrade", 1e200)]
    public void Energies_powers_and_prices_beyond_the_markets_range_are_refused(string field, double value)
    {
        var round = BenchRound(new Random(1), 2, 2, 1);
        var p = round.Participants[3];
        var bad = field switch
        {
            "energyKwh" => p with { EnergyKwh = value, MaxPowerKw = value },
            "maxPowerKw" => p with { MaxPowerKw = value },
            "chargingPricePerKwh" => p with { ChargingPricePerKwh = value },
            _ => p with { BatteryWearPerTrade = value },
        };
        var e = Assert.Throws<RoundValidationException>(() => new MarketCore().Clear(round with { Participants = [.. round.Participants.Take(3), bad] }));
        Assert.Contains(e.Errors, x => x.Path == "participants[3]." + field);
    }

    [Fact]
    public void A_round_without_participants_clears_to_an_empty_decision_with_a_warning()
    {
        var round = new MarketRound("empty", 1, 1, 0.3, [], null, new Feeder("n0", [new FeederNode("n0", 2)], []));
        var d = new MarketCore().Clear(round);
        Assert.Empty(d.Trades);
        Assert.Empty(d.Settlements);
        Assert.Equal(0, d.Kpis.TransactionSuccessRate);
        Assert.Contains("no participants: nothing to trade this round", d.Warnings);
        Assert.Contains("\"trades\": []", DecisionJson.Serialize(d));
    }

    [Fact]
    public void The_journal_form_of_a_decision_is_the_full_one_without_the_candidate_pairs()
    {
        var d = new MarketCore().Clear(BenchRound(new Random(5), 6, 6, 1));
        Assert.NotEmpty(d.Candidates);
        var full = System.Text.Json.Nodes.JsonNode.Parse(DecisionJson.Serialize(d))!.AsObject();
        var journal = System.Text.Json.Nodes.JsonNode.Parse(DecisionJson.SerializeForJournal(d))!.AsObject();

        Assert.Equal(d.Candidates.Count, full["edges"]!.AsArray().Count);
        Assert.False(journal.ContainsKey("edges"));
        full.Remove("edges");
        Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(full, journal));
        Assert.DoesNotContain('\n', DecisionJson.SerializeForJournal(d));
    }

    [Fact]
    public void Rules_and_wear_per_trade_survive_the_journal_round_trip()
    {
        var round = BenchRound(new Random(3), 4, 4, 1) with
        {
            Rules = new MarketRules
            {
                Execution = ExecutionRule.CurtailLowestWeightOnWorstLine, BuyerTravel = BuyerTravelPricing.GridPrice,
                TravelCost = TravelCostSharing.SharedOverLots, SmesSettlement = SmesSettlementRule.TradePriceGross, ExecutionNodeBudget = 77,
            },
        };
        var back = RoundJson.Parse(RoundJson.Serialize(round));
        Assert.Equal(round.Rules, back.Rules);
        Assert.Equal(round.Participants.Select(p => p.BatteryWearPerTrade), back.Participants.Select(p => p.BatteryWearPerTrade));
        Assert.Equal(DecisionJson.Serialize(new MarketCore().Clear(round)), DecisionJson.Serialize(new MarketCore().Clear(back)));
        var e = Assert.Throws<RoundValidationException>(() => RoundJson.Parse(RoundJson.Serialize(round).Replace("\"shared-over-lots\"", "\"per-lot\"")));
        Assert.Contains(e.Errors, x => x.Path == "rules.travelCost" && x.Message.Contains("\"per-trade\"", StringComparison.Ordinal));
    }
}
