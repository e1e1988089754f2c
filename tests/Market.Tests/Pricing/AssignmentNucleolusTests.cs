using Gateway.Market.Matching;
using Gateway.Market.Pricing;
using Gateway.Market.Solvers;

namespace Gateway.Market.Tests.Pricing;

public sealed class AssignmentNucleolusTests
{
    private readonly CoinOrSolver solver = new();

    private static (List<AssignmentGameEdge> Edges, int[] Matched) RandomGame(Random rnd, int m, int n, double density, bool integerWeights)
    {
        var edges = new List<AssignmentGameEdge>();
        for (var i = 0; i < m; i++)
            for (var j = 0; j < n; j++)
                if (rnd.NextDouble() < density)
                    edges.Add(new AssignmentGameEdge(i, j, integerWeights ? rnd.Next(1, 6) : Math.Round(rnd.NextDouble() * 10, 3) + 0.001));
        var matching = BMatchingSolver.Solve(m, n, Enumerable.Repeat(1, m).ToArray(), Enumerable.Repeat(1, n).ToArray(),
            edges.Select(e => new MatchingEdge(e.Buyer, e.Seller, (long)Math.Round(e.Weight * 1000))).ToList());
        return (edges, matching);
    }

    [Fact]
    public void Lies_in_the_core_on_larger_random_games()
    {
        var rnd = new Random(5);
        for (var round = 0; round < 10; round++)
        {
            var m = rnd.Next(5, 30);
            var n = rnd.Next(5, 30);
            var (edges, matched) = RandomGame(rnd, m, n, 0.5, integerWeights: round % 3 == 0);
            var x = AssignmentNucleolus.Compute(m, n, edges, matched, solver);
            Assert.All(x.BuyerPayoffs, v => Assert.True(v >= -1e-7));
            Assert.All(x.SellerPayoffs, v => Assert.True(v >= -1e-7));
            foreach (var e in edges) Assert.True(x.BuyerPayoffs[e.Buyer] + x.SellerPayoffs[e.Seller] >= e.Weight - 1e-7, "a buyer–seller pair blocks");
            var total = matched.Sum(k => edges[k].Weight);
            Assert.Equal(total, x.BuyerPayoffs.Sum() + x.SellerPayoffs.Sum(), 6);
        }
    }

    [Fact]
    public void Unique_whichever_optimal_matching_is_given()
    {
        // Two optimal assignments (1+1 on the diagonal, 1+1 off it): the nucleolus does not depend on which one clears.
        var edges = new List<AssignmentGameEdge> { new(0, 0, 1), new(0, 1, 1), new(1, 0, 1), new(1, 1, 1) };
        var a = AssignmentNucleolus.Compute(2, 2, edges, new[] { 0, 3 }, solver);
        var b = AssignmentNucleolus.Compute(2, 2, edges, new[] { 1, 2 }, solver);
        Assert.Equal(a.BuyerPayoffs, b.BuyerPayoffs, (p, q) => Math.Abs(p - q) < 1e-9);
        Assert.Equal(0.5, a.BuyerPayoffs[0], 9);
    }

    [Fact]
    public void Hand_computed_two_by_one_game()
    {
        // One seller, buyers worth 4 and 3 to it: core = seller gets [3,4]; nucleolus splits the interval: seller 3.5, buyer 0.5.
        var edges = new List<AssignmentGameEdge> { new(0, 0, 4), new(1, 0, 3) };
        var x = AssignmentNucleolus.Compute(2, 1, edges, new[] { 0 }, solver);
        Assert.Equal(0.5, x.BuyerPayoffs[0], 9);
        Assert.Equal(0, x.BuyerPayoffs[1], 9);
        Assert.Equal(3.5, x.SellerPayoffs[0], 9);
    }
}
