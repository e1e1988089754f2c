using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using Gateway.Market.DayAhead;
using Gateway.Market.Solvers;

namespace Gateway.Bench;

/// <summary>
/// Run time of the day-ahead solvers on scenario I with the paper's Table 6 settings (500
/// iterations; population 30). A short job: 2 cores are shared, so keep it to a few iterations.
/// Run: dotnet run -c Release --project bench/Market.Bench -- --filter '*DayAhead*'
/// </summary>
[Config(typeof(Config))]
[MemoryDiagnoser]
public class DayAheadBenchmarks
{
    private DayAheadMarket _market = null!;

    private sealed class Config : ManualConfig
    {
        public Config() => AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(1).WithIterationCount(3).WithInvocationCount(1).WithUnrollFactor(1));
    }

    [GlobalSetup]
    public void Setup() => _market = DayAheadMarket.Create(DayAheadBenchScenario.ScenarioI());

    [Benchmark(Description = "Exact (COIN-OR CBC)")]
    public double Exact() => new ExactDayAheadSolver(new CoinOrSolver()).Solve(_market).Outcome.Objective;

    [Benchmark(Description = "NGO 500 it")]
    public double Ngo() => new NorthernGoshawkSolver(new MetaheuristicOptions(30, 500, 1)).Solve(_market).Outcome.Objective;

    [Benchmark(Description = "PSO 500 it")]
    public double Pso() => new ParticleSwarmSolver(new MetaheuristicOptions(30, 500, 1)).Solve(_market).Outcome.Objective;
}
