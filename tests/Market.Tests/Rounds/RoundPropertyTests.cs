using Gateway.Market;
using Gateway.Market.Decision;
using Gateway.Market.Model;

namespace Gateway.Market.Tests.Rounds;

/// <summary>
/// Whole rounds on random radial feeders: whatever the market decides, no line ends above its
/// limit, every failed trade names the line that failed it, the SMES stays within its limits,
/// every price lies between the seller's cost and the grid price, the nucleolus split is in
/// the core, settlements balance, and the same round always gives the same decision.
/// </summary>
public sealed class RoundPropertyTests
{
    internal static MarketRound RandomRound(Random rnd, int buyers, int sellers, bool smes)
    {
        var nodes = new List<FeederNode> { new("n0") };
        var lines = new List<FeederLine>();
        for (var k = 1; k <= 6; k++)
        {
            nodes.Add(new FeederNode($"n{k}", rnd.NextDouble() < 0.3 ? rnd.Next(0, 3) : 0));
            lines.Add(new FeederLine($"L{k}", $"n{rnd.Next(0, k)}", $"n{k}", rnd.NextDouble() < 0.4 ? rnd.Next(2, 8) : 200));
        }
        var participants = new List<Quotation>();
        for (var i = 0; i < buyers; i++)
        {
            var p = rnd.Next(3, 12);
            participants.Add(new Quotation($"b{i:D2}", ParticipantKind.Ev, TradeRole.Buyer, $"n{rnd.Next(0, 7)}", Math.Round(rnd.NextDouble() * (p - 0.1), 2) + 0.1, p,
                rnd.Next(1, 3), 0.15, rnd.Next(0, 4)));
        }
        for (var j = 0; j < sellers; j++)
        {
            var p = rnd.Next(3, 12);
            participants.Add(rnd.NextDouble() < 0.5
                ? new Quotation($"s{j:D2}", ParticipantKind.Pv, TradeRole.Seller, $"n{rnd.Next(0, 7)}", Math.Round(rnd.NextDouble() * (p - 0.1), 2) + 0.1, p, rnd.Next(1, 4), MaintenancePerKwh: 0.1)
                : new Quotation($"s{j:D2}", ParticipantKind.Ev, TradeRole.Seller, $"n{rnd.Next(0, 7)}", Math.Round(rnd.NextDouble() * (p - 0.1), 2) + 0.1, p, rnd.Next(1, 4),
                    0.15, rnd.Next(0, 3), 0.45, 0.95, 0.05));
        }
        var unit = smes ? new SmesUnit("smes", $"n{rnd.Next(0, 7)}", 40, rnd.Next(300, 1100), 100, 1200, rnd.Next(5, 40), 0.97, 0.05) : null;
        return new MarketRound("r", 1, 1.0105, 0.3, participants, unit, new Feeder("n0", nodes, lines));
    }

    private static Dictionary<string, string?> Parents(Feeder f) => f.Lines.ToDictionary(l => l.ToNodeId, l => (string?)l.Id);

    [Fact]
    public void Random_rounds_respect_feeder_smes_price_and_settlement_rules()
    {
        var seed = TestSeeds.Fresh();
        foreach (var fixedSeed in new[] { 1, 2, 3, seed })
        {
            var rnd = new Random(fixedSeed);
            var core = new MarketCore();
            for (var n = 0; n < 30; n++)
            {
                var round = RandomRound(rnd, rnd.Next(1, 9), rnd.Next(1, 9), rnd.NextDouble() < 0.7);
                var d = core.Clear(round);
                var context = $"seed {fixedSeed}, round {n}";

                // Lines: planned flows within limits unless base load alone overloads (then a warning says so).
                foreach (var flow in d.LineFlows)
                {
                    var line = round.Feeder.Lines.Single(l => l.Id == flow.LineId);
                    if (d.Warnings.Any(w => w.Contains(line.Id, StringComparison.Ordinal))) continue;
                    Assert.True(Math.Abs(flow.FlowKw) <= line.LimitKw + 1e-6, $"{context}: line {line.Id} at {flow.FlowKw} kW over {line.LimitKw} kW");
                }
                // Failed trades name a line of the feeder.
                foreach (var t in d.Trades.Where(t => t.Status == TradeStatus.Failed))
                    Assert.Contains(round.Feeder.Lines, l => l.Id == t.FailedLineId);
                // Prices between the seller's cost and the grid price; nucleolus shares within the pair's surplus.
                foreach (var t in d.Trades)
                {
                    var seller = round.Participants.Single(q => q.Id == t.SellerId);
                    var cost = BenefitModelCost(seller, round);
                    Assert.InRange(t.PricePerKwh, cost - 1e-6, round.GridPricePerKwh + 1e-6);
                    Assert.InRange(t.BuyerPayoff, -1e-6, t.Weight + 1e-6);
                    Assert.True(Math.Abs(t.Weight - (t.BuyerPayoff + t.SellerPayoff)) <= 1e-6, $"{context}: payoffs {t.BuyerPayoff} + {t.SellerPayoff} against the weight {t.Weight}");
                }
                // Energy within each participant's quotation and power limit.
                foreach (var q in round.Participants)
                {
                    var traded = d.Trades.Where(t => t.BuyerId == q.Id || t.SellerId == q.Id).Sum(t => t.EnergyKwh);
                    Assert.True(traded <= q.EnergyKwh + 1e-6 && traded <= q.MaxPowerKw * round.IntervalHours + 1e-6, $"{context}: {q.Id} trades {traded} kWh");
                    Assert.True(d.Trades.Count(t => t.BuyerId == q.Id || t.SellerId == q.Id) <= q.MaxTrades, $"{context}: {q.Id} over its capacity");
                }
                // SMES within its energy and power limits.
                if (round.Smes is { } s && d.Smes is { } o)
                {
                    Assert.True(Math.Abs(o.NetPowerKw) <= s.MaxPowerKw + 1e-6, context);
                    Assert.InRange(o.StoredEnergyAfterKwh, s.MinEnergyKwh - 1e-6, s.MaxEnergyKwh + 1e-6);
                    Assert.InRange(o.CurrentAfterA, s.MinCurrentA - 1e-6, s.MaxCurrentA + 1e-6);
                    Assert.All(d.SmesActions, a => Assert.True(a.EnergyKwh <= a.RequestedKwh + 1e-9));
                }
                else
                {
                    Assert.Empty(d.SmesActions);
                }
                // Settlements balance.
                foreach (var st in d.Settlements) Assert.True(Math.Abs(st.EnergyKwh * st.PricePerKwh - st.Amount) <= 1e-6, $"{context}: settlement {st.Amount} against {st.EnergyKwh} kWh × {st.PricePerKwh}");
                // Deterministic.
                Assert.Equal(Contracts.DecisionJson.Serialize(d), Contracts.DecisionJson.Serialize(core.Clear(round)));
            }
        }
    }

    private static double BenefitModelCost(Quotation seller, MarketRound round) => BenefitModel.SellerCostPerKwh(seller, round);
}
