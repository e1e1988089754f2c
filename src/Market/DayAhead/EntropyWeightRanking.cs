namespace Gateway.Market.DayAhead;

/// <summary>
/// The entropy weight method the improved NGO uses to rank its final solution set: criteria
/// that vary more across the set get more weight; each alternative's score is the weighted sum
/// of its min–max normalised criteria (all criteria are "larger is better").
/// </summary>
internal static class EntropyWeightRanking
{
    /// <summary>Weights of the criteria (columns) of <paramref name="matrix"/> (rows = alternatives); they sum to 1.</summary>
    public static double[] Weights(double[][] matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        int n = matrix.Length;
        if (n == 0)
        {
            throw new ArgumentException("needs at least one alternative", nameof(matrix));
        }
        int m = matrix[0].Length;
        var normalised = Normalise(matrix);
        var divergence = new double[m];
        for (int j = 0; j < m; j++)
        {
            double sum = 0;
            for (int i = 0; i < n; i++)
            {
                sum += normalised[i][j];
            }
            double entropy = 0;
            if (sum > 0 && n > 1)
            {
                for (int i = 0; i < n; i++)
                {
                    double p = normalised[i][j] / sum;
                    if (p > 0)
                    {
                        entropy -= p * Math.Log(p);
                    }
                }
                entropy /= Math.Log(n);
            }
            else
            {
                entropy = 1.0; // a criterion with no spread carries no information
            }
            divergence[j] = 1.0 - entropy;
        }
        double total = divergence.Sum();
        return total <= 0 ? Enumerable.Repeat(1.0 / m, m).ToArray() : divergence.Select(d => d / total).ToArray();
    }

    /// <summary>Index of the best alternative (ties go to the lower index).</summary>
    public static int Best(double[][] matrix)
    {
        var weights = Weights(matrix);
        var normalised = Normalise(matrix);
        int best = 0;
        double bestScore = double.NegativeInfinity;
        for (int i = 0; i < normalised.Length; i++)
        {
            double score = 0;
            for (int j = 0; j < weights.Length; j++)
            {
                score += weights[j] * normalised[i][j];
            }
            if (score > bestScore)
            {
                bestScore = score;
                best = i;
            }
        }
        return best;
    }

    private static double[][] Normalise(double[][] matrix)
    {
        int n = matrix.Length;
        int m = matrix[0].Length;
        var result = new double[n][];
        for (int i = 0; i < n; i++)
        {
            if (matrix[i].Length != m)
            {
                throw new ArgumentException("every alternative needs the same criteria", nameof(matrix));
            }
            result[i] = new double[m];
        }
        for (int j = 0; j < m; j++)
        {
            double min = double.PositiveInfinity, max = double.NegativeInfinity;
            for (int i = 0; i < n; i++)
            {
                min = Math.Min(min, matrix[i][j]);
                max = Math.Max(max, matrix[i][j]);
            }
            for (int i = 0; i < n; i++)
            {
                result[i][j] = max - min > 0 ? (matrix[i][j] - min) / (max - min) : 1.0;
            }
        }
        return result;
    }
}
