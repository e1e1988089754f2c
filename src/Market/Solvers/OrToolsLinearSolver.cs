using Google.OrTools.LinearSolver;

namespace Gateway.Market.Solvers;

/// <summary>
/// Solves programs with Google OR-Tools' linear solver wrapper (MPSolver): GLOP, Google's primal/dual simplex, for pure
/// LPs (it reports row duals, which the nucleolus sequence needs), and SCIP, the branch-and-cut solver OR-Tools ships,
/// as soon as one variable is integer. Both come inside the Google.OrTools NuGet runtime package, so nothing is
/// installed from apt. Every solve owns its MPSolver and disposes it before returning, so separate solves may run on
/// separate threads.
/// </summary>
public sealed class OrToolsLinearSolver : ILinearSolver
{
    /// <summary>Backend for programs without integer variables.</summary>
    public const string LpBackend = "GLOP";

    /// <summary>Backend for programs with at least one integer variable.</summary>
    public const string MipBackend = "SCIP";

    /// <inheritdoc />
    public LinearSolution Solve(LinearProgram program)
    {
        ArgumentNullException.ThrowIfNull(program);
        var backend = program.HasIntegerVariables ? MipBackend : LpBackend;
        using var solver = Solver.CreateSolver(backend)
            ?? throw new InvalidOperationException($"OR-Tools has no {backend} backend in this build of its native library");
        solver.SuppressOutput();

        var variables = program.Variables;
        var columns = new Variable[variables.Count];
        for (var j = 0; j < columns.Length; j++)
        {
            var v = variables[j];
            columns[j] = v.IsInteger
                ? solver.MakeIntVar(v.LowerBound, v.UpperBound, v.Name)
                : solver.MakeNumVar(v.LowerBound, v.UpperBound, v.Name);
        }

        var constraints = program.Constraints;
        var rows = new Constraint[constraints.Count];
        for (var r = 0; r < rows.Length; r++)
        {
            var c = constraints[r];
            var row = solver.MakeConstraint(c.LowerBound, c.UpperBound, c.Name);
            foreach (var (v, coefficient) in c.Terms)
            {
                // MPSolver keeps one coefficient per variable and row: repeated terms are summed here, as CSC loaders do.
                row.SetCoefficient(columns[v], row.GetCoefficient(columns[v]) + coefficient);
            }

            rows[r] = row;
        }

        var objective = solver.Objective();
        for (var j = 0; j < columns.Length; j++)
        {
            if (variables[j].ObjectiveCoefficient != 0)
            {
                objective.SetCoefficient(columns[j], variables[j].ObjectiveCoefficient);
            }
        }

        if (program.Sense == ObjectiveSense.Maximize)
        {
            objective.SetMaximization();
        }
        else
        {
            objective.SetMinimization();
        }

        var result = solver.Solve();
        if (result == Solver.ResultStatus.ABNORMAL && !program.HasIntegerVariables)
        {
            // GLOP's presolve can give up on nearly degenerate programs (the nucleolus sequence fixes rows at values the
            // previous stage computed); the same program without presolve solves.
            solver.SetSolverSpecificParametersAsString("use_preprocessing: false");
            result = solver.Solve();
        }
        var status = result switch
        {
            Solver.ResultStatus.OPTIMAL => LinearSolutionStatus.Optimal,
            Solver.ResultStatus.INFEASIBLE => LinearSolutionStatus.Infeasible,
            Solver.ResultStatus.UNBOUNDED => LinearSolutionStatus.Unbounded,
            Solver.ResultStatus.FEASIBLE => LinearSolutionStatus.IterationLimit,
            _ => LinearSolutionStatus.Error,
        };

        if (status == LinearSolutionStatus.Infeasible && IsFeasibleWithoutObjective(solver, objective))
        {
            // GLOP's presolve answers INFEASIBLE for "infeasible or unbounded"; a feasible region with no objective tells them apart.
            status = LinearSolutionStatus.Unbounded;
        }

        var x = new double[columns.Length];
        double[]? duals = null;
        if (status == LinearSolutionStatus.Optimal)
        {
            for (var j = 0; j < x.Length; j++)
            {
                x[j] = columns[j].SolutionValue();
            }

            if (!program.HasIntegerVariables)
            {
                duals = new double[rows.Length];
                for (var r = 0; r < rows.Length; r++)
                {
                    duals[r] = rows[r].DualValue();
                }
            }
        }

        return new LinearSolution(status, status == LinearSolutionStatus.Optimal ? objective.Value() : double.NaN, x, duals);
    }

    private static bool IsFeasibleWithoutObjective(Solver solver, Objective objective)
    {
        objective.Clear();
        return solver.Solve() == Solver.ResultStatus.OPTIMAL;
    }
}
