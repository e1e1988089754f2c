namespace Gateway.Market.Solvers;

/// <summary>Solves a linear (or mixed-integer linear) program. The seam between the market core and OR-Tools (<see cref="OrToolsLinearSolver"/>), so tests can put a fake behind it.</summary>
public interface ILinearSolver
{
    /// <summary>Solves <paramref name="program"/>; never mutates it.</summary>
    LinearSolution Solve(LinearProgram program);
}
