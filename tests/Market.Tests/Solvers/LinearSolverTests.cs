using Gateway.Market.Solvers;

namespace Gateway.Market.Tests.Solvers;

public sealed class LinearSolverTests
{
    private readonly ILinearSolver _solver = new OrToolsLinearSolver();

    [Fact]
    public void Lp_solves_a_textbook_lp_with_duals()
    {
        // max 3x + 5y s.t. x ≤ 4, 2y ≤ 12, 3x + 2y ≤ 18 → x=2, y=6, z=36; shadow prices 0, 1.5, 1.
        var lp = new LinearProgram { Sense = ObjectiveSense.Maximize };
        var x = lp.AddVariable("x", 0, double.PositiveInfinity, 3);
        var y = lp.AddVariable("y", 0, double.PositiveInfinity, 5);
        lp.AddConstraint("a", new[] { (x, 1.0) }, double.NegativeInfinity, 4);
        lp.AddConstraint("b", new[] { (y, 2.0) }, double.NegativeInfinity, 12);
        lp.AddConstraint("c", new[] { (x, 3.0), (y, 2.0) }, double.NegativeInfinity, 18);
        var s = _solver.Solve(lp);
        Assert.Equal(LinearSolutionStatus.Optimal, s.Status);
        Assert.Equal(36, s.ObjectiveValue, 6);
        Assert.Equal(2, s.VariableValues[x], 6);
        Assert.Equal(6, s.VariableValues[y], 6);
        Assert.NotNull(s.ConstraintDuals);
        Assert.Equal(0, s.ConstraintDuals![0], 6);
        Assert.Equal(1.5, s.ConstraintDuals[1], 6);
        Assert.Equal(1.0, s.ConstraintDuals[2], 6);
    }

    [Fact]
    public void Duals_are_the_objective_change_per_unit_of_right_hand_side_in_both_senses()
    {
        // min 2x + 3y s.t. x + y ≥ 4 (binding), x ≤ 3 (binding): x=3, y=1, z=9; raising the ≥ row by 1 costs 3, raising x ≤ 3 saves 1.
        var lp = new LinearProgram { Sense = ObjectiveSense.Minimize };
        var x = lp.AddVariable("x", 0, double.PositiveInfinity, 2);
        var y = lp.AddVariable("y", 0, double.PositiveInfinity, 3);
        lp.AddConstraint("cover", new[] { (x, 1.0), (y, 1.0) }, 4, double.PositiveInfinity);
        lp.AddConstraint("cap", new[] { (x, 1.0) }, double.NegativeInfinity, 3);
        var s = _solver.Solve(lp);
        Assert.Equal(9, s.ObjectiveValue, 6);
        Assert.Equal(3, s.ConstraintDuals![0], 6);
        Assert.Equal(-1, s.ConstraintDuals[1], 6);

        // The same program maximising −(2x + 3y): the objective is −9 and each dual flips sign with it.
        var max = new LinearProgram { Sense = ObjectiveSense.Maximize };
        var mx = max.AddVariable("x", 0, double.PositiveInfinity, -2);
        var my = max.AddVariable("y", 0, double.PositiveInfinity, -3);
        max.AddConstraint("cover", new[] { (mx, 1.0), (my, 1.0) }, 4, double.PositiveInfinity);
        max.AddConstraint("cap", new[] { (mx, 1.0) }, double.NegativeInfinity, 3);
        var m = _solver.Solve(max);
        Assert.Equal(-9, m.ObjectiveValue, 6);
        Assert.Equal(-3, m.ConstraintDuals![0], 6);
        Assert.Equal(1, m.ConstraintDuals[1], 6);
    }

    [Fact]
    public void Repeated_terms_of_one_variable_in_a_row_add_up()
    {
        var lp = new LinearProgram { Sense = ObjectiveSense.Maximize };
        var x = lp.AddVariable("x", 0, double.PositiveInfinity, 1);
        lp.AddConstraint("r", new[] { (x, 1.0), (x, 1.0) }, double.NegativeInfinity, 4);
        Assert.Equal(2, _solver.Solve(lp).ObjectiveValue, 9);
    }

    [Fact]
    public void Lp_reports_infeasible_and_unbounded()
    {
        var infeasible = new LinearProgram();
        var a = infeasible.AddVariable("a", 0, 1, 1);
        infeasible.AddConstraint("r", new[] { (a, 1.0) }, 2, double.PositiveInfinity);
        Assert.Equal(LinearSolutionStatus.Infeasible, _solver.Solve(infeasible).Status);

        var unbounded = new LinearProgram { Sense = ObjectiveSense.Maximize };
        var b = unbounded.AddVariable("b", 0, double.PositiveInfinity, 1);
        unbounded.AddConstraint("r", new[] { (b, 1.0) }, 1, double.PositiveInfinity);
        Assert.Equal(LinearSolutionStatus.Unbounded, _solver.Solve(unbounded).Status);
    }

    [Fact]
    public void Mip_solves_a_program_whose_lp_relaxation_is_fractional()
    {
        // max 5a + 4b + 3c s.t. 2a + 3b + c ≤ 5, 4a + b + 2c ≤ 11, 3a + 4b + 2c ≤ 8, binaries → a=1, c=1... optimum 13 at (2,0,1) if integer ≥ 0.
        var lp = new LinearProgram { Sense = ObjectiveSense.Maximize };
        var x = lp.AddVariable("x", 0, 10, 1, isInteger: true);
        var y = lp.AddVariable("y", 0, 10, 1, isInteger: true);
        // x + y ≤ 1.5 and x − y = 0 → LP optimum 1.5 (0.75, 0.75); integer optimum 0 (0,0).
        lp.AddConstraint("sum", new[] { (x, 1.0), (y, 1.0) }, double.NegativeInfinity, 1.5);
        lp.AddConstraint("eq", new[] { (x, 1.0), (y, -1.0) }, 0, 0);
        var s = _solver.Solve(lp);
        Assert.Equal(LinearSolutionStatus.Optimal, s.Status);
        Assert.Equal(0, s.ObjectiveValue, 6);
        Assert.Null(s.ConstraintDuals);

        var relaxed = new LinearProgram { Sense = ObjectiveSense.Maximize };
        var rx = relaxed.AddVariable("x", 0, 10, 1);
        var ry = relaxed.AddVariable("y", 0, 10, 1);
        relaxed.AddConstraint("sum", new[] { (rx, 1.0), (ry, 1.0) }, double.NegativeInfinity, 1.5);
        relaxed.AddConstraint("eq", new[] { (rx, 1.0), (ry, -1.0) }, 0, 0);
        Assert.Equal(1.5, _solver.Solve(relaxed).ObjectiveValue, 6);
    }

    [Fact]
    public void Mip_reports_infeasible()
    {
        var lp = new LinearProgram();
        var x = lp.AddVariable("x", 0, 10, 1, isInteger: true);
        lp.AddConstraint("between", new[] { (x, 2.0) }, 1, 1);
        Assert.Equal(LinearSolutionStatus.Infeasible, _solver.Solve(lp).Status);
    }

    [Fact]
    public void Separate_models_solve_concurrently()
    {
        var results = new double[16];
        Parallel.For(0, results.Length, k =>
        {
            var lp = new LinearProgram { Sense = ObjectiveSense.Maximize };
            var v = lp.AddVariable("v", 0, k, 1);
            results[k] = _solver.Solve(lp).ObjectiveValue;
        });
        for (var k = 0; k < results.Length; k++)
        {
            Assert.Equal(k, results[k], 9);
        }
    }

    [Fact]
    public void Rejects_empty_bounds_and_unknown_variables()
    {
        var lp = new LinearProgram();
        Assert.Throws<ArgumentException>(() => lp.AddVariable("x", 2, 1, 0));
        Assert.Throws<ArgumentException>(() => lp.AddConstraint("r", new[] { (3, 1.0) }, 0, 1));
    }
}
