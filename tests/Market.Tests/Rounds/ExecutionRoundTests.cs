using Gateway.Market.Contracts;
using Gateway.Market.Decision;
using Gateway.Market.Model;

namespace Gateway.Market.Tests.Rounds;

/// <summary>Issue 18 item 1: the feeder fails only what it must, and says why; the greedy rule is still there to compare.</summary>
public sealed class ExecutionRoundTests
{
    // L1 (10 kW) between the PV at the substation and two buyers at n1: a 1 kW trade and a 14 kW trade.
    private static MarketRound OverCurtailed(MarketRules rules) => new(
        "item1", 1, 1.0, 0.3,
        [
            new Quotation("bA", ParticipantKind.Ev, TradeRole.Buyer, "n1", 1, 22),
            new Quotation("bB", ParticipantKind.Ev, TradeRole.Buyer, "n1", 14, 22),
            new Quotation("sA", ParticipantKind.Pv, TradeRole.Seller, "n0", 1, 22, MaintenancePerKwh: 0.1),
            new Quotation("sB", ParticipantKind.Pv, TradeRole.Seller, "n0", 14, 22, MaintenancePerKwh: 0.1),
        ],
        null, new Feeder("n0", [new FeederNode("n0"), new FeederNode("n1")], [new FeederLine("L1", "n0", "n1", 10)]))
    { Rules = rules };

    [Fact]
    public void The_greedy_rule_fails_the_1_kW_trade_first_then_the_14_kW_one_and_leaves_the_line_empty()
    {
        var d = new MarketCore().Clear(OverCurtailed(MarketRules.Paper with { Execution = ExecutionRule.CurtailLowestWeightOnWorstLine }));
        Assert.All(d.Trades, t => Assert.Equal(TradeStatus.Failed, t.Status));
        Assert.Equal(0, d.LineFlows.Single().MarketFlowKw, 9);
        // The 1 kW trade would fit: the line would carry 1 of 10 kW. The decision says so.
        var small = d.Trades.Single(t => t.BuyerId == "bA");
        Assert.Equal(-9, small.OverloadKw!.Value, 9);
        Assert.Contains("over-curtailed", DecisionJson.FailureReason(d, small));
    }

    [Fact]
    public void The_exact_rule_executes_the_1_kW_trade_and_explains_the_14_kW_failure()
    {
        var d = new MarketCore().Clear(OverCurtailed(MarketRules.Paper));
        Assert.Equal(TradeStatus.Executed, d.Trades.Single(t => t.BuyerId == "bA").Status);
        var big = d.Trades.Single(t => t.BuyerId == "bB");
        Assert.Equal(TradeStatus.Failed, big.Status);
        Assert.Equal("L1", big.FailedLineId);
        Assert.Equal(1 + 14 - 10, big.OverloadKw!.Value, 9);
        Assert.Equal(1, d.LineFlows.Single().MarketFlowKw, 9);
        Assert.True(d.Execution!.ProvenOptimal);
        Assert.Contains("L1", DecisionJson.FailureReason(d, big));
        Assert.Contains("5 kW over its 10 kW limit", DecisionJson.FailureReason(d, big));
    }

    [Fact]
    public void On_random_rounds_the_exact_rule_executes_at_least_the_greedy_weight_and_only_fails_trades_that_do_not_fit()
    {
        var seed = TestSeeds.Fresh();
        foreach (var s in new[] { 1, 2, seed })
        {
            var rnd = new Random(s);
            for (var n = 0; n < 25; n++)
            {
                var round = RoundPropertyTests.RandomRound(rnd, rnd.Next(2, 10), rnd.Next(2, 10), smes: false);
                var exact = new MarketCore().Clear(round);
                var greedy = new MarketCore().Clear(round with { Rules = MarketRules.Paper with { Execution = ExecutionRule.CurtailLowestWeightOnWorstLine } });
                Assert.True(exact.Execution!.ExecutedWeight >= greedy.Execution!.ExecutedWeight - 1e-9, $"seed {s}, round {n}");
                Assert.All(exact.Trades.Where(t => t.Status == TradeStatus.Failed), t => Assert.True(t.OverloadKw > 0, $"seed {s}, round {n}: {t.BuyerId}–{t.SellerId} fits"));
            }
        }
    }
}
