namespace Gateway.Market.Solvers;

/// <summary>
/// A linear program in row form: variables with bounds and objective coefficients, and range constraints
/// <c>lower ≤ Σ coefficient·x ≤ upper</c>. Infinite bounds are <see cref="double.NegativeInfinity"/> /
/// <see cref="double.PositiveInfinity"/>. Any variable marked integer makes it a MILP.
/// </summary>
public sealed class LinearProgram
{
    private readonly List<Variable> _variables = new();
    private readonly List<Constraint> _constraints = new();

    /// <summary>Whether the objective is minimised (default) or maximised.</summary>
    public ObjectiveSense Sense { get; set; } = ObjectiveSense.Minimize;

    /// <summary>Number of variables added so far.</summary>
    public int VariableCount => _variables.Count;

    /// <summary>Number of constraints added so far.</summary>
    public int ConstraintCount => _constraints.Count;

    /// <summary>True when at least one variable is integer.</summary>
    public bool HasIntegerVariables { get; private set; }

    /// <summary>Adds a variable and returns its index.</summary>
    internal int AddVariable(string name, double lowerBound, double upperBound, double objectiveCoefficient, bool isInteger = false)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (double.IsNaN(lowerBound) || double.IsNaN(upperBound) || lowerBound > upperBound)
        {
            throw new ArgumentException($"variable '{name}': bounds [{lowerBound}, {upperBound}] are empty or NaN");
        }

        if (!double.IsFinite(objectiveCoefficient))
        {
            throw new ArgumentException($"variable '{name}': objective coefficient must be finite");
        }

        _variables.Add(new Variable(name, lowerBound, upperBound, objectiveCoefficient, isInteger));
        HasIntegerVariables |= isInteger;
        return _variables.Count - 1;
    }

    /// <summary>Adds the constraint <c>lowerBound ≤ Σ terms ≤ upperBound</c> and returns its index.</summary>
    internal int AddConstraint(string name, IReadOnlyList<(int Variable, double Coefficient)> terms, double lowerBound, double upperBound)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(terms);
        if (double.IsNaN(lowerBound) || double.IsNaN(upperBound) || lowerBound > upperBound)
        {
            throw new ArgumentException($"constraint '{name}': bounds [{lowerBound}, {upperBound}] are empty or NaN");
        }

        var copy = new (int Variable, double Coefficient)[terms.Count];
        for (var k = 0; k < terms.Count; k++)
        {
            var (v, c) = terms[k];
            if ((uint)v >= (uint)_variables.Count)
            {
                throw new ArgumentException($"constraint '{name}': variable index {v} does not exist");
            }

            if (!double.IsFinite(c))
            {
                throw new ArgumentException($"constraint '{name}': coefficient of variable {v} must be finite");
            }

            copy[k] = (v, c);
        }

        _constraints.Add(new Constraint(name, copy, lowerBound, upperBound));
        return _constraints.Count - 1;
    }

    internal IReadOnlyList<Variable> Variables => _variables;

    internal IReadOnlyList<Constraint> Constraints => _constraints;

    internal readonly record struct Variable(string Name, double LowerBound, double UpperBound, double ObjectiveCoefficient, bool IsInteger);

    internal readonly record struct Constraint(string Name, (int Variable, double Coefficient)[] Terms, double LowerBound, double UpperBound);
}
