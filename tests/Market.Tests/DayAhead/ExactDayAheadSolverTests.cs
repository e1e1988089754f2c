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
    public void The_program_is_a_maximisation_with_one_binary_per_buyer_and_period()
    {
        var market = PaperScenarios.Market(0);
        var fake = new FixedStatusSolver(LinearSolutionStatus.Error);
        Assert.Throws<InvalidOperationException>(() => new ExactDayAheadSolver(fake).Solve(market));
        var program = fake.Seen!;
        Assert.Equal(ObjectiveSense.Maximize, program.Sense);
        Assert.True(program.HasIntegerVariables);
        int buyerCells = 0, sellerCells = 0;
        for (int t = 0; t < market.PeriodCount; t++)
        {
            for (int k = 0; k < market.ClassCount; k++)
            {
                if (market.IsBuyer(t, k))
                {
                    buyerCells++;
                }
                else
                {
                    sellerCells++;
                }
            }
        }
        // Buyer: account + 4 energies + γ; seller side: account + 3 energies.
        Assert.Equal(buyerCells * 6 + sellerCells * 4, program.VariableCount);
        // Buyer: demand, 2 big-M rows, account; seller: surplus, account; per period: balance, 2 power rows, capacity.
        Assert.Equal(buyerCells * 4 + sellerCells * 2 + market.PeriodCount * 4, program.ConstraintCount);
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
