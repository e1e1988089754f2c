using Gateway.Market.DayAhead;

namespace Gateway.Market.Tests.DayAhead;

public class ReproducibilityTests
{
    private static double[] Flatten(DayAheadSchedule s)
    {
        var values = new List<double>();
        for (int t = 0; t < s.PeriodCount; t++)
        {
            for (int k = 0; k < s.ClassCount; k++)
            {
                var f = s[t, k];
                values.AddRange(f.Energies().Select(e => e.Value));
                values.Add(s.EvEnergyKwh(t, k));
            }
            values.Add(s.Prices[t].BuyerPricePerKwh);
        }
        return values.ToArray();
    }

    public static TheoryData<string> Solvers() => new() { "NGO", "PSO" };

    private static IDayAheadSolver Make(string name, int seed)
    {
        var options = new MetaheuristicOptions(10, 25, seed);
        return name == "NGO" ? new NorthernGoshawkSolver(options) : new ParticleSwarmSolver(options);
    }

    [Theory]
    [MemberData(nameof(Solvers))]
    public void Same_seed_gives_the_same_schedule_bit_for_bit(string solver)
    {
        var market = PaperScenarios.Market(1);
        var first = Make(solver, 42).Solve(market);
        var second = Make(solver, 42).Solve(market);
        Assert.Equal(Flatten(first.Schedule), Flatten(second.Schedule));
        Assert.Equal(first.BestObjectiveByIteration, second.BestObjectiveByIteration);
        Assert.Equal(BitConverter.DoubleToInt64Bits(first.Outcome.Objective), BitConverter.DoubleToInt64Bits(second.Outcome.Objective));
    }

    [Theory]
    [MemberData(nameof(Solvers))]
    public void Another_seed_searches_differently(string solver)
    {
        var market = PaperScenarios.Market(1);
        Assert.NotEqual(Flatten(Make(solver, 1).Solve(market).Schedule), Flatten(Make(solver, 2).Solve(market).Schedule));
    }

    [Fact]
    public void Convergence_curves_never_decrease_and_have_one_point_per_iteration()
    {
        var market = PaperScenarios.Market(2);
        foreach (var solver in new[] { Make("NGO", 3), Make("PSO", 3) })
        {
            var curve = solver.Solve(market).BestObjectiveByIteration;
            Assert.Equal(25, curve.Count);
            for (int i = 1; i < curve.Count; i++)
            {
                Assert.True(curve[i] >= curve[i - 1], $"{solver.Name} curve dropped at iteration {i + 1}");
            }
        }
    }

    [Fact]
    public void Options_that_cannot_work_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new NorthernGoshawkSolver(new MetaheuristicOptions(1, 10, 0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ParticleSwarmSolver(new MetaheuristicOptions(10, 0, 0)));
    }
}
