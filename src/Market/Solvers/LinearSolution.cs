namespace Gateway.Market.Solvers;

/// <summary>The result of solving a <see cref="LinearProgram"/>.</summary>
/// <param name="Status">How the solve ended; the values are meaningful only when <see cref="LinearSolutionStatus.Optimal"/>.</param>
/// <param name="ObjectiveValue">Objective value of the returned point, in the program's own sense.</param>
/// <param name="VariableValues">One value per variable, indexed as returned by <see cref="LinearProgram.AddVariable"/>.</param>
/// <param name="ConstraintDuals">Row duals (CLP's row prices) for pure LPs; null for programs with integer variables.
/// Sign convention is CLP's: for a minimisation, the dual of a binding ≥ row is ≥ 0 and of a binding ≤ row is ≤ 0;
/// for a maximisation the signs flip.</param>
public sealed record LinearSolution(LinearSolutionStatus Status, double ObjectiveValue, double[] VariableValues, double[]? ConstraintDuals);
