using Gateway.Market.Matching;
using Gateway.Market.Model;
using Gateway.Market.Pricing;
using Gateway.Market.Solvers;
using Gateway.Market.Tests.Rounds;

namespace Gateway.Market.Tests.Pricing;

/// <summary>
/// The machinery behind eq. 2 as written and the slow-nucleolus fix: a recorded nucleolus structure replays the solution
/// it came from; the eq. 2 prices are a fixed point (each trade weighted at its own price, the nucleolus of that game gives
/// back that price); and a round of tied, thousand-unit prices (the slow case of issue 18 item 7, at a size the LP oracle
/// can check) gets the same nucleolus as the LP sequence.
/// </summary>
public sealed class PriceFixedPointTests
{
    private readonly ILinearSolver _solver = TestSolvers.Linear();

    [Fact]
    public void A_recorded_structure_replays_its_own_solution()
    {
        var rnd = new Random(8);
        for (var round = 0; round < 30; round++)
        {
            var game = AssignmentNucleolusTests.RandomGame(rnd, rnd.Next(3, 25), rnd.Next(3, 25), 0.5, integerWeights: round % 3 == 0, maxCapacity: 3);
            var weights = game.Trades.Select(t => game.Edges[t].Weight).ToArray();
            var (shares, _, structure) = new NucleolusSolver(game).Solve(weights);
            var replayed = structure.Replay(weights);
            for (var t = 0; t < shares.Length; t++) Assert.Equal(shares[t], replayed[t], 7);
        }
    }

    [Fact]
    public void Eq2_prices_are_a_fixed_point_of_weight_and_nucleolus()
    {
        foreach (var seed in new[] { 3, 4 })
        {
            var round = ScaleAndBoundsTests.BenchRound(new Random(seed), 40, 40, 1);
            var d = new MarketCore().Clear(round);
            var graph = CandidateGraph.Build(round);
            var byId = round.Participants.ToDictionary(p => p.Id);
            var matched = d.Trades.Select(t => graph.Candidates.Select((c, k) => (c, k)).Single(p => p.c.BuyerId == t.BuyerId && p.c.SellerId == t.SellerId).k).ToArray();
            foreach (var t in d.Trades)
            {
                // Each trade's weight is its pair's weight with the buyer's travel energy at the trade's own price (on the grid).
                var own = BenefitModel.PairWeight(byId[t.BuyerId], byId[t.SellerId], round, t.PricePerKwh);
                Assert.Equal(own, t.Weight, graph.Grid.Unit * 4);
                // And that price gives the buyer its share: x_b = (v − p)·q − p·e_b.
                var e = BenefitModel.BuyerTravelEnergyKwh(byId[t.BuyerId], round.Rules);
                Assert.Equal((round.GridPricePerKwh - t.PricePerKwh) * t.EnergyKwh - t.PricePerKwh * e, t.BuyerPayoff, 6);
            }

            // The shares are the nucleolus of the game with those weights.
            var game = graph.Game(matched, d.Trades.Select(t => t.Weight).ToArray());
            var x = AssignmentNucleolus.Compute(game);
            for (var k = 0; k < d.Trades.Count; k++) Assert.Equal(x.BuyerShares[k], d.Trades[k].BuyerPayoff, 7);
        }
    }

    [Fact]
    public void A_round_of_tied_thousand_unit_prices_gets_the_lp_nucleolus()
    {
        // Whole-kWh energies and the same costs for everyone, prices in thousands: thousands of exactly equal weights.
        var rnd = new Random(12);
        var q = new List<Quotation>();
        for (var i = 0; i < 30; i++) q.Add(new Quotation($"b{i:D2}", ParticipantKind.Ev, TradeRole.Buyer, "n0", rnd.Next(1, 8), 7.4, 2, 0.15, 2));
        for (var j = 0; j < 30; j++)
            q.Add(j % 2 == 0
                ? new Quotation($"s{j:D2}", ParticipantKind.Pv, TradeRole.Seller, "n0", rnd.Next(1, 10), 10, 3, MaintenancePerKwh: 100)
                : new Quotation($"s{j:D2}", ParticipantKind.Ev, TradeRole.Seller, "n0", rnd.Next(1, 8), 7.4, 3, 0.15, 2, 450, 0.95, BatteryWearPerTrade: 50));
        var round = new MarketRound("ties", 1, 1000, 300, q, null, new Feeder("n0", [new FeederNode("n0")], []))
        { Rules = MarketRules.Paper with { BuyerTravel = BuyerTravelPricing.GridPrice } };
        var graph = CandidateGraph.Build(round);
        var game = graph.Game(graph.Match());
        var ours = AssignmentNucleolus.Compute(game);
        var lp = SequentialLpNucleolus.Compute(game, _solver);
        var scale = ours.TradeWeights.Max();
        for (var t = 0; t < ours.BuyerShares.Length; t++) Assert.Equal(lp.BuyerShares[t], ours.BuyerShares[t], 1e-7 * scale);
    }

    [Fact]
    public void The_rows_are_scanned_a_few_times_per_solution_not_once_per_stage()
    {
        // Issue 18 item 7 took 19 s because every stage rescanned every row: on a tied round one stage needed dozens of
        // admission passes over hundreds of thousands of rows, and a round whose participants all differ has a stage per
        // trade. Now the rows are checked once per run of all stages, and runs are few.
        foreach (var name in new[] { "tied", "distinct" })
        {
            var round = Bench(name == "tied");
            var graph = CandidateGraph.Build(round);
            var matched = graph.Match();
            // Distinct: each trade weighted at its own eq. 2 price, as the market prices it — a stage per trade or so.
            var weights = name == "tied"
                ? matched.Select(k => graph.Candidates[k].Weight).ToArray()
                : new MarketCore().Clear(round with { Rules = MarketRules.Paper }).Trades.Select(t => t.Weight).ToArray();
            var game = graph.Game(matched, weights);
            var solver = new NucleolusSolver(game);
            var (_, stages, _) = solver.Solve(weights);
            Assert.True(solver.Runs <= 12, $"{name}: {solver.Runs} runs over the rows for {stages} stages");
            if (name == "distinct") Assert.True(stages > 50, $"{name}: only {stages} stages");
        }
    }

    // 200 + 200 in the bench's shape: tied (whole kWh, identical costs, thousand-unit prices) or every participant its own
    // travel, charging price, efficiency and wear.
    private static MarketRound Bench(bool tied)
    {
        var rnd = new Random(tied ? 31 : 32);
        var q = new List<Quotation>();
        for (var i = 0; i < 200; i++)
            q.Add(tied
                ? new Quotation($"b{i:D3}", ParticipantKind.Ev, TradeRole.Buyer, "n0", rnd.Next(1, 8), 7.4, 2, 0.15, 2)
                : new Quotation($"b{i:D3}", ParticipantKind.Ev, TradeRole.Buyer, "n0", 1 + 6 * rnd.NextDouble(), 7.4, 2, 0.1 + 0.1 * rnd.NextDouble(), 5 * rnd.NextDouble()));
        for (var j = 0; j < 200; j++)
            q.Add(j % 2 == 0
                ? new Quotation($"s{j:D3}", ParticipantKind.Pv, TradeRole.Seller, "n0", tied ? rnd.Next(1, 10) : 1 + 8 * rnd.NextDouble(), 10, 3, MaintenancePerKwh: tied ? 100 : 50 + 100 * rnd.NextDouble())
                : new Quotation($"s{j:D3}", ParticipantKind.Ev, TradeRole.Seller, "n0", tied ? rnd.Next(1, 8) : 1 + 6 * rnd.NextDouble(), 7.4, 3, 0.15, 2,
                    tied ? 450 : 400 + 100 * rnd.NextDouble(), tied ? 0.95 : 0.88 + 0.1 * rnd.NextDouble(), BatteryWearPerTrade: tied ? 50 : 100 * rnd.NextDouble()));
        return new MarketRound("scan", 1, 1000, 300, q, null, new Feeder("n0", [new FeederNode("n0")], []))
        { Rules = MarketRules.Paper with { BuyerTravel = BuyerTravelPricing.GridPrice } };
    }
}
