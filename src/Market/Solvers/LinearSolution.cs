namespace Gateway.Market.Solvers;

/// <summary>The result of solving a <see cref="LinearProgram"/>.</summary>
/// <param name="Status">How the solve ended; the values are meaningful only when <see cref="LinearSolutionStatus.Optimal"/>.</param>
/// <param name="ObjectiveValue">Objective value of the returned point, in the program's own sense.</param>
/// <param name="VariableValues">One value per variable, indexed as returned by <see cref="LinearProgram.AddVariable"/>.</param>
/// <param name="ConstraintDuals">Row duals for pure LPs; null for programs with integer variables. Each is the change of
/// the objective per unit increase of the row's binding bound: for a minimisation, the dual of a binding ≥ row is ≥ 0
/// and of a binding ≤ row is ≤ 0; for a maximisation the signs flip (the
/// LP nucleolus oracle relies on this convention; tests/Market.Tests/Solvers checks it on GLOP).</param>
public sealed record LinearSolution(LinearSolutionStatus Status, double ObjectiveValue, double[] VariableValues, double[]? ConstraintDuals);
