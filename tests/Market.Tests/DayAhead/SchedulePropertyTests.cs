using Gateway.Market.DayAhead;
using Gateway.Market.Solvers;

namespace Gateway.Market.Tests.DayAhead;

/// <summary>Every solver on every paper scenario returns a schedule the independent checker accepts, and none beats the exact optimum.</summary>
public class SchedulePropertyTests
{
    private static readonly MetaheuristicOptions Quick = new(PopulationSize: 12, Iterations: 40, Seed: 7);

    public static TheoryData<int, string> Cases()
    {
        var data = new TheoryData<int, string>();
        for (int s = 0; s < 3; s++)
        {
            foreach (string solver in new[] { "NGO", "Improved PSO", "PSO", "Exact" })
            {
                data.Add(s, solver);
            }
        }
        return data;
    }

    private static IDayAheadSolver Solver(string name) => name switch
    {
        "NGO" => new NorthernGoshawkSolver(Quick),
        "Improved PSO" => new ImprovedParticleSwarmSolver(Quick),
        "PSO" => new ParticleSwarmSolver(Quick),
        _ => new ExactDayAheadSolver(new OrToolsLinearSolver()),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_schedule_satisfies_balance_prices_and_storage_limits(int scenario, string solver)
    {
        var market = PaperScenarios.Market(scenario);
        var result = Solver(solver).Solve(market);
        Assert.Empty(ScheduleChecker.Check(market, result.Schedule));
        Assert.Equal(DayAheadEconomics.Evaluate(market, result.Schedule).Objective, result.Outcome.Objective, 9);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void No_metaheuristic_beats_the_exact_optimum(int scenario)
    {
        var market = PaperScenarios.Market(scenario);
        double exact = new ExactDayAheadSolver(new OrToolsLinearSolver()).Solve(market).Outcome.Objective;
        foreach (var solver in new IDayAheadSolver[] { new NorthernGoshawkSolver(Quick), new ImprovedParticleSwarmSolver(Quick), new ParticleSwarmSolver(Quick) })
        {
            double found = solver.Solve(market).Outcome.Objective;
            Assert.True(found <= exact + 1e-6, $"{solver.Name} found {found}, above the exact optimum {exact}");
        }
    }

    [Fact]
    public void Exact_model_is_a_linear_program_whose_optimum_equals_the_economics_of_its_schedule()
    {
        var market = PaperScenarios.Market(0);
        var program = DayAheadProgram.Build(market);
        Assert.False(program.Program.HasIntegerVariables);
        var solution = new OrToolsLinearSolver().Solve(program.Program);
        Assert.Equal(LinearSolutionStatus.Optimal, solution.Status);
        var schedule = program.ToSchedule(solution.VariableValues);
        Assert.Equal(solution.ObjectiveValue, DayAheadEconomics.Evaluate(market, schedule).Objective, 5);
    }

    [Fact]
    public void Random_decision_vectors_always_decode_to_feasible_schedules()
    {
        var random = new Random(12345);
        for (int s = 0; s < 3; s++)
        {
            var market = PaperScenarios.Market(s);
            var genes = new double[ScheduleDecoder.Dimension(market)];
            for (int trial = 0; trial < 150; trial++)
            {
                for (int d = 0; d < genes.Length; d++)
                {
                    // Mix extremes with interior values: the bounds are where repair is tested hardest.
                    genes[d] = random.Next(4) switch { 0 => 0.0, 1 => 1.0, 2 => -0.5 + 2 * random.NextDouble(), _ => random.NextDouble() };
                }
                var violations = ScheduleChecker.Check(market, ScheduleDecoder.Decode(market, genes));
                Assert.True(violations.Count == 0, $"scenario {s}, trial {trial}: {string.Join("; ", violations)}");
            }
        }
    }

    [Fact]
    public void A_greedy_all_ones_vector_stays_within_storage_and_battery_limits()
    {
        var market = PaperScenarios.Market(0);
        var genes = Enumerable.Repeat(1.0, ScheduleDecoder.Dimension(market)).ToArray();
        var schedule = ScheduleDecoder.Decode(market, genes);
        Assert.Empty(ScheduleChecker.Check(market, schedule));
        Assert.Contains(schedule.StorageEnergyKwh, level => level > 300);
        Assert.All(schedule.StorageEnergyKwh, level => Assert.InRange(level, 60 - 1e-9, 1200 + 1e-9));
    }
}

public class ImprovedParticleSwarmTests
{
    [Fact]
    public void Annealing_and_the_falling_inertia_make_it_search_differently_from_pso_with_the_same_seed()
    {
        var market = PaperScenarios.Market(0);
        var options = new MetaheuristicOptions(10, 30, 5);
        var improved = new ImprovedParticleSwarmSolver(options).Solve(market);
        var plain = new ParticleSwarmSolver(options).Solve(market);
        Assert.NotEqual(plain.BestObjectiveByIteration, improved.BestObjectiveByIteration);
        Assert.Empty(ScheduleChecker.Check(market, improved.Schedule));
        for (int i = 1; i < improved.BestObjectiveByIteration.Count; i++)
        {
            Assert.True(improved.BestObjectiveByIteration[i] >= improved.BestObjectiveByIteration[i - 1]);
        }
    }

    [Fact]
    public void Same_seed_gives_the_same_result()
    {
        var market = PaperScenarios.Market(2);
        var options = new MetaheuristicOptions(8, 25, 11);
        Assert.Equal(new ImprovedParticleSwarmSolver(options).Solve(market).BestObjectiveByIteration, new ImprovedParticleSwarmSolver(options).Solve(market).BestObjectiveByIteration);
    }
}
