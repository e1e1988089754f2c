using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using Gateway.Market.DayAhead;
using Gateway.Market.Solvers;

namespace Gateway.Bench;

/// <summary>
/// Run time of the day-ahead solvers on scenario I with the paper's Table 6 settings (500 iterations; population 30).
/// A short job: 2 cores are shared, so keep it to a few iterations. The seed-by-seed comparison of values and times
/// (Table 6, mean ± sd over ≥ 10 seeds) is <c>gateway schedule --all-scenarios</c>; this bench adds allocations.
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
    public void Setup() => _market = DayAheadMarket.Create(DayAheadBenchScenario.Load("I"));

    [Benchmark(Description = "Exact (OR-Tools GLOP, LP)")]
    public double Exact() => new ExactDayAheadSolver(new OrToolsLinearSolver()).Solve(_market).Outcome.Objective;

    [Benchmark(Description = "Improved NGO 500 it")]
    public double Ngo() => new NorthernGoshawkSolver(new MetaheuristicOptions(30, 500, 1)).Solve(_market).Outcome.Objective;

    [Benchmark(Description = "Improved PSO 500 it")]
    public double ImprovedPso() => new ImprovedParticleSwarmSolver(new MetaheuristicOptions(30, 500, 1)).Solve(_market).Outcome.Objective;

    [Benchmark(Description = "PSO 500 it")]
    public double Pso() => new ParticleSwarmSolver(new MetaheuristicOptions(30, 500, 1)).Solve(_market).Outcome.Objective;
}
