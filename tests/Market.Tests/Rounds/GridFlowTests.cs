using Gateway.Market.Decision;
using Gateway.Market.Grid;
using Gateway.Market.Model;

namespace Gateway.Market.Tests.Rounds;

/// <summary>
/// Issue 18 item 2: the decision's line flows hold every flow the gateway dispatches — base loads, executed trades, SMES
/// actions and every PV at its feed-in cap — and nothing else: a failed side the SMES does not serve is dispatched at what
/// it traded (an EV keeps its energy or waits, a PV is capped), so it adds no grid flow. Recomputed independently here,
/// each line is within its limit.
/// </summary>
public sealed class GridFlowTests
{
    [Fact]
    public void Line_flows_are_exactly_the_dispatched_flows_and_within_every_limit()
    {
        var seed = TestSeeds.Fresh();
        foreach (var s in new[] { 4, 5, 6, seed })
        {
            var rnd = new Random(s);
            for (var n = 0; n < 40; n++)
            {
                var round = RoundPropertyTests.RandomRound(rnd, rnd.Next(1, 9), rnd.Next(1, 9), rnd.NextDouble() < 0.7);
                Check(round, new MarketCore().Clear(round), $"seed {s}, round {n}");
            }
        }
    }

    [Fact]
    public void The_papers_example_round_has_no_flow_outside_the_check()
    {
        var round = Contracts.RoundJson.Parse(File.ReadAllText(Example("li2021-round.json")));
        var d = new MarketCore().Clear(round);
        Check(round, d, "li2021-round");
        Assert.Contains(d.Trades, t => t.Status == TradeStatus.Failed);
    }

    internal static string Example(string name) => Repository.PathOf("hil-rigs", "examples", name);

    private static void Check(MarketRound round, RoundDecision d, string context)
    {
        // Net injection per node, kW (+ = into the feeder), from what the gateway dispatches.
        var injection = round.Feeder.Nodes.ToDictionary(x => x.Id, x => -x.BaseLoadKw);
        var node = round.Participants.ToDictionary(p => p.Id, p => p.NodeId);
        foreach (var t in d.Trades.Where(t => t.Status == TradeStatus.Executed))
        {
            injection[node[t.SellerId]] += t.EnergyKwh / round.IntervalHours;
            injection[node[t.BuyerId]] -= t.EnergyKwh / round.IntervalHours;
        }

        var marketInjection = new Dictionary<string, double>(injection);
        foreach (var a in d.SmesActions)
        {
            var kw = a.EnergyKwh / round.IntervalHours;
            var sign = a.Direction == SmesDirection.Discharge ? 1 : -1;
            foreach (var map in new[] { injection, marketInjection })
            {
                map[round.Smes!.NodeId] += sign * kw;
                map[node[a.CounterpartyId]] -= sign * kw;
            }
        }

        foreach (var f in d.FeedIn) injection[node[f.ParticipantId]] += f.FeedInKw;

        // On a tree, a line carries the net injection of everything beyond it (toward the root, so − in its orientation).
        var children = round.Feeder.Lines.ToLookup(l => l.FromNodeId);
        double Beyond(Dictionary<string, double> inj, string at) => inj[at] + children[at].Sum(l => Beyond(inj, l.ToNodeId));
        var baseFlows = new FeederTopology(round.Feeder).BaseFlowsKw();
        for (var k = 0; k < round.Feeder.Lines.Count; k++)
        {
            var line = round.Feeder.Lines[k];
            var flow = d.LineFlows.Single(l => l.LineId == line.Id);
            // An absolute tolerance: rounding both sides to 6 places splits values that differ in the 16th digit.
            Assert.Equal(-Beyond(injection, line.ToNodeId), flow.FlowKw, 1e-6);
            Assert.Equal(-Beyond(marketInjection, line.ToNodeId), flow.MarketFlowKw, 1e-6);
            var window = LineWindow.For(line.LimitKw, baseFlows[k]);
            Assert.True(window.Excess(flow.FlowKw) <= 1e-6, $"{context}: {line.Id} at {flow.FlowKw} kW, limit {line.LimitKw} kW");
        }

        // A PV never exports more than its rating, nor less than it sold.
        foreach (var f in d.FeedIn)
        {
            var pv = round.Participants.Single(p => p.Id == f.ParticipantId);
            Assert.InRange(f.CapKw, f.SoldKw - 1e-9, Math.Max(pv.MaxPowerKw, f.SoldKw) + 1e-9);
        }
    }
}
