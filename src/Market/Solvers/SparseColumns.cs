namespace Gateway.Market.Solvers;

/// <summary>A <see cref="LinearProgram"/> flattened into the column-major (CSC) arrays COIN-OR's loadProblem takes.</summary>
internal sealed class SparseColumns
{
    // COIN-OR treats magnitudes at or above this as infinite; IEEE infinities are mapped onto it.
    private const double CoinInfinity = double.MaxValue;

    public int[] ColumnStarts { get; }
    public int[] RowIndices { get; }
    public double[] Values { get; }
    public double[] ColumnLower { get; }
    public double[] ColumnUpper { get; }
    public double[] Objective { get; }
    public double[] RowLower { get; }
    public double[] RowUpper { get; }

    public SparseColumns(LinearProgram program)
    {
        var variables = program.Variables;
        var constraints = program.Constraints;
        var n = variables.Count;
        var m = constraints.Count;
        var counts = new int[n + 1];
        foreach (var row in constraints)
        {
            foreach (var (v, _) in row.Terms)
            {
                counts[v + 1]++;
            }
        }

        for (var j = 0; j < n; j++)
        {
            counts[j + 1] += counts[j];
        }

        ColumnStarts = (int[])counts.Clone();
        RowIndices = new int[counts[n]];
        Values = new double[counts[n]];
        var next = (int[])counts.Clone();
        for (var r = 0; r < m; r++)
        {
            foreach (var (v, c) in constraints[r].Terms)
            {
                var at = next[v]++;
                RowIndices[at] = r;
                Values[at] = c;
            }
        }

        ColumnLower = new double[n];
        ColumnUpper = new double[n];
        Objective = new double[n];
        for (var j = 0; j < n; j++)
        {
            ColumnLower[j] = Clamp(variables[j].LowerBound);
            ColumnUpper[j] = Clamp(variables[j].UpperBound);
            Objective[j] = variables[j].ObjectiveCoefficient;
        }

        RowLower = new double[m];
        RowUpper = new double[m];
        for (var r = 0; r < m; r++)
        {
            RowLower[r] = Clamp(constraints[r].LowerBound);
            RowUpper[r] = Clamp(constraints[r].UpperBound);
        }
    }

    private static double Clamp(double bound) =>
        double.IsPositiveInfinity(bound) ? CoinInfinity : double.IsNegativeInfinity(bound) ? -CoinInfinity : bound;
}
