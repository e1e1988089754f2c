using Gateway.Market.DayAhead;
using Gateway.Market.Solvers;

namespace Gateway.Market.Tests.DayAhead;

public class ExactDayAheadSolverTests
{
    private sealed class FixedStatusSolver(LinearSolutionStatus status) : ILinearSolver
    {
        public LinearProgram? Seen { get; private set; }

        public LinearSolution Solve(LinearProgram program)
        {
            Seen = program;
            return new LinearSolution(status, 0, new double[program.VariableCount], null);
        }
    }

    [Theory]
    [InlineData(LinearSolutionStatus.Infeasible)]
    [InlineData(LinearSolutionStatus.IterationLimit)]
    [InlineData(LinearSolutionStatus.Error)]
    public void A_solve_that_is_not_optimal_is_an_error_naming_the_status(LinearSolutionStatus status)
    {
        var e = Assert.Throws<InvalidOperationException>(() => new ExactDayAheadSolver(new FixedStatusSolver(status)).Solve(PaperScenarios.Market(0)));
        Assert.Contains(status.ToString(), e.Message, StringComparison.Ordinal);
        Assert.Contains("'I'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_program_is_a_linear_maximisation_with_seven_variables_per_class_and_period()
    {
        var market = PaperScenarios.Market(0);
        var fake = new FixedStatusSolver(LinearSolutionStatus.Error);
        Assert.Throws<InvalidOperationException>(() => new ExactDayAheadSolver(fake).Solve(market));
        var program = fake.Seen!;
        Assert.Equal(ObjectiveSense.Maximize, program.Sense);
        Assert.False(program.HasIntegerVariables);
        int cells = market.PeriodCount * market.ClassCount;
        // EV energy + account + five flows (buyer: own EV, own storage, peer, grid, company; seller: PV sold/to EV/stored, EV sold, storage sold).
        Assert.Equal(cells * 7, program.VariableCount);
        // Per cell: need or surplus split, EV balance, account balance; per period: balance (7), two power rows (31), capacity (30).
        Assert.Equal(cells * 3 + market.PeriodCount * 4, program.ConstraintCount);
    }

    [Fact]
    public void An_all_zero_solution_reads_back_as_buying_everything_from_the_grid_and_curtailing()
    {
        var market = PaperScenarios.Market(2);
        var program = DayAheadProgram.Build(market);
        var schedule = program.ToSchedule(new double[program.Program.VariableCount]);
        Assert.Empty(ScheduleChecker.Check(market, schedule));
        for (int t = 0; t < market.PeriodCount; t++)
        {
            for (int k = 0; k < market.ClassCount; k++)
            {
                Assert.Equal(market.DemandKwh(t, k), schedule[t, k].BoughtGridKwh, 12);
                Assert.Equal(market.SurplusKwh(t, k), schedule[t, k].PvCurtailedKwh, 12);
            }
        }
    }
}
