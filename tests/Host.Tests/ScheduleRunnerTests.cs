using Gateway.Host.Cli;
using Gateway.Market.DayAhead;
using Gateway.Testing;

namespace Gateway.Host.Tests;

public class ScheduleRunnerTests
{
    /// <summary>A solver that takes "three seconds" of the injected clock.</summary>
    private sealed class SlowSolver(FakeTimeProvider clock, IDayAheadSolver inner) : IDayAheadSolver
    {
        public string Name => inner.Name;

        public DayAheadSolverResult Solve(DayAheadMarket market, CancellationToken cancellationToken = default)
        {
            clock.Advance(TimeSpan.FromSeconds(3));
            return inner.Solve(market, cancellationToken);
        }
    }

    [Fact]
    public void Wall_time_comes_from_the_injected_clock_and_the_schedule_is_checked()
    {
        var scenario = DayAheadScenarioLoader.Load(ScheduleTestFiles.Scenario("II"), File.ReadAllText);
        var market = DayAheadMarket.Create(scenario);
        var clock = TestClocks.New();
        var run = new ScheduleRunner(clock).Run(new SlowSolver(clock, new ParticleSwarmSolver(new MetaheuristicOptions(4, 3, 1))), market, 1);
        Assert.Equal(TimeSpan.FromSeconds(3), run.WallTime);
        Assert.Empty(run.Violations);
    }
}
