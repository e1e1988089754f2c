namespace Gateway.Host.Cli;

/// <summary>
/// Numbers published in Li et al., "Multi-seller–multi-buyer V2G trading with user-side PV",
/// Energies 2023, 16, 6317 (/work/shared/papers/energies2023-multi-seller-multi-buyer-v2g.txt),
/// copied as data so reports can set our results beside them.
/// </summary>
internal static class SchedulePublishedResults
{
    /// <summary>Where the numbers come from.</summary>
    public const string Source = "Energies 2023, 16, 6317, Tables 2–6";

    /// <summary>A row of Table 6.</summary>
    public sealed record SolverRow(string Algorithm, int Iterations, double RunTimeSeconds, double RevenueYuan);

    /// <summary>Table 6 (all three algorithms, 500 iterations; the paper does not say which scenario).</summary>
    public static IReadOnlyList<SolverRow> Table6 { get; } =
    [
        new("Improved NGO", 500, 1.764, 2922.221),
        new("Improved PSO", 500, 1.868, 2883.968),
        new("PSO", 500, 3.583, 2621.941),
    ];

    /// <summary>Table 5: average cost of electricity to users, Yuan/kWh, without and with the blockchain market.</summary>
    public static (double Without, double With) Table5AverageCost { get; } = (1.3, 0.74);

    /// <summary>The published row of Table 6 for one of our solver names, if the paper has one.</summary>
    public static SolverRow? Table6Row(string solver) => solver switch
    {
        "NGO" => Table6[0],
        "Improved PSO" => Table6[1],
        "PSO" => Table6[2],
        _ => null,
    };

    /// <summary>Tables 2–4: sellers' revenue per hour (1..24) and class A, B, C, in Yuan; hours not listed are 0.</summary>
    public static IReadOnlyDictionary<string, double[][]> SellerRevenueByScenario { get; } = new Dictionary<string, double[][]>(StringComparer.Ordinal)
    {
        ["I"] = Expand(new()
        {
            [1] = [2.99, 0, 1.839], [2] = [0.99, 0, 0.15], [8] = [0, 0.715, 0], [9] = [0.49, 64.384, 0], [10] = [0, 71.267, 0],
            [11] = [4.05, 14.243, 0], [19] = [0, 43.634, 0], [20] = [0, 255.975, 0], [21] = [415.038, 0, 0],
        }),
        ["II"] = Expand(new()
        {
            [1] = [1.472, 0, 2.676], [2] = [0, 0, 1.296], [8] = [0, 0.853, 0], [9] = [0, 53.383, 0], [10] = [0, 68.745, 0],
            [11] = [0, 36.657, 0], [20] = [0, 207.644, 0], [21] = [231.498, 0, 0],
        }),
        ["III"] = Expand(new()
        {
            [1] = [1.993, 0, 3.231], [2] = [0, 0, 0.767], [8] = [0, 0.677, 0], [9] = [0, 42.82, 0], [10] = [0, 140.505, 0],
            [11] = [0, 36.655, 0], [20] = [0, 125.583, 0], [21] = [308.668, 0, 0],
        }),
    };

    private static double[][] Expand(Dictionary<int, double[]> rows)
    {
        var table = new double[24][];
        for (int h = 1; h <= 24; h++)
        {
            table[h - 1] = rows.TryGetValue(h, out var row) ? row : [0, 0, 0];
        }
        return table;
    }
}
