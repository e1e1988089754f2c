using Gateway.Market.DayAhead;

namespace Gateway.Market.Tests.DayAhead;

public class EntropyWeightRankingTests
{
    [Fact]
    public void A_criterion_without_spread_gets_no_weight()
    {
        double[][] m = [[1, 5], [1, 7], [1, 9]];
        var w = EntropyWeightRanking.Weights(m);
        Assert.Equal(0.0, w[0], 12);
        Assert.Equal(1.0, w[1], 12);
        Assert.Equal(2, EntropyWeightRanking.Best(m));
    }

    [Fact]
    public void Weights_match_a_hand_computation()
    {
        // Normalised columns: c0 = [0, 0.5, 1], c1 = [1, 0, 0].
        // c0: p = [0, 1/3, 2/3], e0 = −(1/3 ln 1/3 + 2/3 ln 2/3)/ln 3 = 0.579380; c1: p = [1, 0, 0], e1 = 0.
        double[][] m = [[0, 10], [5, 0], [10, 0]];
        var w = EntropyWeightRanking.Weights(m);
        double e0 = -((1.0 / 3) * Math.Log(1.0 / 3) + (2.0 / 3) * Math.Log(2.0 / 3)) / Math.Log(3);
        double d0 = 1 - e0, d1 = 1.0;
        Assert.Equal(d0 / (d0 + d1), w[0], 12);
        Assert.Equal(d1 / (d0 + d1), w[1], 12);
        // Scores: [w1, 0.5 w0, w0]; w1 > w0 so the first alternative wins.
        Assert.Equal(0, EntropyWeightRanking.Best(m));
    }

    [Fact]
    public void Refuses_an_empty_or_ragged_matrix()
    {
        Assert.Throws<ArgumentException>(() => EntropyWeightRanking.Weights([]));
        Assert.Throws<ArgumentException>(() => EntropyWeightRanking.Weights([[1, 2], [3]]));
    }
}
