using Gateway.Market.Pricing;
using Gateway.Market.Solvers;
using Xunit.Abstractions;

namespace Gateway.Market.Tests.Pricing;

/// <summary>
/// Both nucleolus algorithms against the nucleolus from its definition (<see cref="BruteForceNucleolus"/>: every
/// coalition, the imputation set) and against Kohlberg's criterion, on random small games, one-to-one and with capacities
/// (checked on the explicit lot game).
/// </summary>
public sealed class NucleolusOracleTests(ITestOutputHelper output)
{
    private const double Agreement = 1e-6;
    private readonly OrToolsLinearSolver _solver = new();

    [Fact]
    public void One_to_one_games_match_the_brute_force_nucleolus()
    {
        var rnd = new Random(11);
        var checkedGames = 0;
        for (var round = 0; round < 80; round++)
        {
            var game = AssignmentNucleolusTests.RandomGame(rnd, rnd.Next(1, 5), rnd.Next(1, 5), 0.7, integerWeights: round % 2 == 0);
            checkedGames += Check(game, $"one-to-one #{round}") ? 1 : 0;
        }

        Assert.Equal(80, checkedGames);
    }

    [Fact]
    public void Capacitated_games_match_the_brute_force_nucleolus_of_their_lot_game()
    {
        var rnd = new Random(17);
        var checkedGames = 0;
        while (checkedGames < 40)
        {
            var game = AssignmentNucleolusTests.RandomGame(rnd, rnd.Next(1, 4), rnd.Next(1, 4), 0.8, integerWeights: checkedGames % 2 == 0, maxCapacity: 2);
            var lots = game.ExpandToLots();
            if (lots.BuyerLots + lots.SellerLots > 9 || game.Trades.Count == 0) continue;
            Assert.True(Check(game, $"capacitated #{checkedGames}"));
            checkedGames++;
        }
    }

    [Fact]
    public void The_oracle_and_the_criterion_reject_a_core_point_that_is_not_the_nucleolus()
    {
        // One seller, buyers worth 4 and 3 to it: the core gives the seller [3, 4]; the nucleolus 3.5, not 3.2.
        var edges = new List<AssignmentGameEdge> { new(0, 0, 4), new(1, 0, 3) };
        var oracle = new BruteForceNucleolus(2, 1, edges, _solver);
        Assert.Equal([0.5, 0, 3.5], oracle.Payoffs().Select(v => Math.Round(v, 9)));
        Assert.Null(KohlbergCriterion.FirstUnbalancedLevel(3, oracle.Value, [0.5, 0, 3.5], _solver));
        Assert.NotNull(KohlbergCriterion.FirstUnbalancedLevel(3, oracle.Value, [0.8, 0, 3.2], _solver));
    }

    private bool Check(AssignmentGame game, string name)
    {
        var lots = game.ExpandToLots();
        var players = lots.BuyerLots + lots.SellerLots;
        var oracle = new BruteForceNucleolus(lots.BuyerLots, lots.SellerLots, lots.Edges, _solver);
        var truth = oracle.Payoffs();
        Assert.Equal(game.Trades.Sum(t => game.Edges[t].Weight), oracle.GrandValue, 9);
        var results = new (string Name, NucleolusResult X)[]
        {
            ("combinatorial", AssignmentNucleolus.Compute(game)),
            ("sequential LP", SequentialLpNucleolus.Compute(game, _solver)),
        };
        foreach (var (method, x) in results)
        {
            var payoffs = new double[players];
            for (var t = 0; t < game.Trades.Count; t++)
            {
                payoffs[lots.TradeLots[t].BuyerLot] = x.BuyerShares[t];
                payoffs[lots.BuyerLots + lots.TradeLots[t].SellerLot] = x.SellerShare(t);
            }

            var gap = payoffs.Zip(truth, (a, b) => Math.Abs(a - b)).Max();
            var unbalanced = KohlbergCriterion.FirstUnbalancedLevel(players, oracle.Value, payoffs, _solver);
            if (gap <= Agreement && unbalanced is null) continue;
            output.WriteLine($"{name} ({method}): lots {lots.BuyerLots}+{lots.SellerLots}, edges [{string.Join(", ", lots.Edges.Select(e => $"{e.Buyer}-{e.Seller}:{e.Weight}"))}]");
            output.WriteLine($"  ours   [{string.Join(" ", payoffs.Select(v => v.ToString("0.####")))}] Kohlberg {(unbalanced is null ? "holds" : "fails at excess " + unbalanced)}");
            output.WriteLine($"  oracle [{string.Join(" ", truth.Select(v => v.ToString("0.####")))}]");
            return false;
        }

        Assert.Null(KohlbergCriterion.FirstUnbalancedLevel(players, oracle.Value, truth, _solver));
        return true;
    }
}
