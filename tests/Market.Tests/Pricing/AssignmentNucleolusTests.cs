using Gateway.Market.Matching;
using Gateway.Market.Pricing;
using Gateway.Market.Solvers;

namespace Gateway.Market.Tests.Pricing;

public sealed class AssignmentNucleolusTests
{
    private readonly OrToolsLinearSolver _solver = new();

    internal static AssignmentGame RandomGame(Random rnd, int m, int n, double density, bool integerWeights, int maxCapacity = 1)
    {
        var edges = new List<AssignmentGameEdge>();
        for (var i = 0; i < m; i++)
            for (var j = 0; j < n; j++)
                if (rnd.NextDouble() < density)
                    edges.Add(new AssignmentGameEdge(i, j, integerWeights ? rnd.Next(1, 6) : Math.Round(rnd.NextDouble() * 10, 3) + 0.001));
        var la = Enumerable.Range(0, m).Select(_ => rnd.Next(1, maxCapacity + 1)).ToArray();
        var l = Enumerable.Range(0, n).Select(_ => rnd.Next(1, maxCapacity + 1)).ToArray();
        var trades = BMatchingSolver.Solve(m, n, la, l, edges.Select(e => new MatchingEdge(e.Buyer, e.Seller, (long)Math.Round(e.Weight * 1000))).ToList());
        return new AssignmentGame(la, l, edges, trades);
    }

    /// <summary>Payoff of every participant: the sum over its trades.</summary>
    private static (double[] Buyers, double[] Sellers) Payoffs(AssignmentGame game, NucleolusResult x)
    {
        var buyers = new double[game.BuyerCapacities.Count];
        var sellers = new double[game.SellerCapacities.Count];
        for (var t = 0; t < game.Trades.Count; t++)
        {
            var e = game.Edges[game.Trades[t]];
            buyers[e.Buyer] += x.BuyerShares[t];
            sellers[e.Seller] += x.SellerShare(t);
        }

        return (buyers, sellers);
    }

    [Fact]
    public void Lies_in_the_core_on_larger_random_games()
    {
        var rnd = new Random(5);
        for (var round = 0; round < 10; round++)
        {
            var m = rnd.Next(5, 30);
            var n = rnd.Next(5, 30);
            var game = RandomGame(rnd, m, n, 0.5, integerWeights: round % 3 == 0);
            var (buyers, sellers) = Payoffs(game, AssignmentNucleolus.Compute(game));
            Assert.All(buyers, v => Assert.True(v >= -1e-7));
            Assert.All(sellers, v => Assert.True(v >= -1e-7));
            foreach (var e in game.Edges) Assert.True(buyers[e.Buyer] + sellers[e.Seller] >= e.Weight - 1e-7, "a buyer–seller pair blocks");
            Assert.Equal(game.Trades.Sum(k => game.Edges[k].Weight), buyers.Sum() + sellers.Sum(), 6);
        }
    }

    [Fact]
    public void Unique_whichever_optimal_matching_is_given()
    {
        // Two optimal assignments (1+1 on the diagonal, 1+1 off it): the nucleolus does not depend on which one clears.
        var edges = new List<AssignmentGameEdge> { new(0, 0, 1), new(0, 1, 1), new(1, 0, 1), new(1, 1, 1) };
        var a = Payoffs(AssignmentGame.OneToOne(2, 2, edges, [0, 3]), AssignmentNucleolus.Compute(AssignmentGame.OneToOne(2, 2, edges, [0, 3])));
        var b = Payoffs(AssignmentGame.OneToOne(2, 2, edges, [1, 2]), AssignmentNucleolus.Compute(AssignmentGame.OneToOne(2, 2, edges, [1, 2])));
        Assert.Equal(a.Buyers, b.Buyers, (p, q) => Math.Abs(p - q) < 1e-9);
        Assert.Equal(a.Sellers, b.Sellers, (p, q) => Math.Abs(p - q) < 1e-9);
        Assert.Equal(0.5, a.Buyers[0], 9);
    }

    [Fact]
    public void Hand_computed_two_by_one_game()
    {
        // One seller, buyers worth 4 and 3 to it: core = seller gets [3,4]; nucleolus splits the interval: seller 3.5, buyer 0.5.
        var edges = new List<AssignmentGameEdge> { new(0, 0, 4), new(1, 0, 3) };
        var x = AssignmentNucleolus.Compute(AssignmentGame.OneToOne(2, 1, edges, [0]));
        Assert.Equal(0.5, x.BuyerShares[0], 9);
        Assert.Equal(3.5, x.SellerShare(0), 9);
    }

    [Fact]
    public void Hand_computed_two_by_two_game()
    {
        // w = [[4, 3], [3, 1]]: the off-diagonal (3 + 3) beats the diagonal (4 + 1). With b0 = a, b1 = c the sellers get
        // s1 = 3 − a, s0 = 3 − c; the unmatched pairs' excesses are 1 − (a − c) and (a − c) − 2, so stage 1 puts
        // a − c = 1.5 (both −0.5). The singletons −a, a − 3, 1.5 − a, a − 4.5 then peak lowest at a = 2.25 (−0.75).
        var edges = new List<AssignmentGameEdge> { new(0, 0, 4), new(0, 1, 3), new(1, 0, 3), new(1, 1, 1) };
        var x = AssignmentNucleolus.Compute(AssignmentGame.OneToOne(2, 2, edges, [1, 2]));
        Assert.Equal(2.25, x.BuyerShares[0], 9);
        Assert.Equal(0.75, x.BuyerShares[1], 9);
    }

    [Fact]
    public void Combinatorial_and_lp_nucleolus_agree_on_capacitated_games()
    {
        var rnd = new Random(23);
        for (var round = 0; round < 30; round++)
        {
            var game = RandomGame(rnd, rnd.Next(2, 25), rnd.Next(2, 25), 0.6, integerWeights: round % 2 == 0, maxCapacity: 3);
            var ours = AssignmentNucleolus.Compute(game);
            var lp = SequentialLpNucleolus.Compute(game, _solver);
            for (var t = 0; t < game.Trades.Count; t++) Assert.Equal(lp.BuyerShares[t], ours.BuyerShares[t], 6);
        }
    }

    [Fact]
    public void No_trades_no_payoffs()
    {
        var x = AssignmentNucleolus.Compute(AssignmentGame.OneToOne(2, 2, [], []));
        Assert.Empty(x.BuyerShares);
    }

    [Fact]
    public void A_matching_that_is_not_optimal_is_refused()
    {
        // Buyer 1 and seller 1 are both idle although their pair is worth 2.
        var edges = new List<AssignmentGameEdge> { new(0, 0, 1), new(1, 1, 2) };
        var error = Assert.Throws<ArgumentException>(() => AssignmentNucleolus.Compute(AssignmentGame.OneToOne(2, 2, edges, [0])));
        Assert.Contains("not an optimal matching", error.Message);
    }
}
