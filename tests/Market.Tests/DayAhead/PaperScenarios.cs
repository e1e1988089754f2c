using Gateway.Market.DayAhead;

namespace Gateway.Market.Tests.DayAhead;

/// <summary>The three scenarios of hil-rigs/energies2023 built in code (Market.Tests has no YAML reader; Host.Tests checks the files load to the same numbers).</summary>
internal static class PaperScenarios
{
    public static readonly int[][] Users = [[80, 50, 40], [30, 50, 80], [40, 40, 80]];
    public static readonly string[] Names = ["I", "II", "III"];

    private static readonly int[][] Charging =
    [
        [0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1],
        [1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 0, 1, 0, 0, 1, 0, 0, 1, 1, 1, 1],
        [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 0, 1, 1, 1, 1, 1, 0],
    ];

    public static DayAheadScenario Scenario(int index) => Build(Names[index], Users[index]);

    public static DayAheadMarket Market(int index) => DayAheadMarket.Create(Scenario(index));

    public static DayAheadScenario Build(string name, int[] users)
    {
        string[] classNames = ["A", "B", "C"];
        var classes = Enumerable.Range(0, 3)
            .Select(k => new UserClass(classNames[k], "", users[k], 6.6, Charging[k].Select(v => v == 1).ToArray()))
            .ToArray();
        static double[] Flat(double v) => Enumerable.Repeat(v, 24).ToArray();
        return new DayAheadScenario(
            name,
            1.0,
            classes,
            new PvParameters(44, 0.20, 0.0045, 298),
            [0, 0, 0, 0, 0, 0, 0, 60, 220, 420, 600, 720, 760, 720, 600, 430, 240, 80, 0, 0, 0, 0, 0, 0],
            [271, 270.5, 270, 270, 269.5, 269.5, 270, 271, 273, 275, 277, 279, 280, 281, 280.5, 279, 277, 275, 274, 273, 272.5, 272, 271.5, 271],
            [0.40, 0.40, 0.40, 0.40, 0.40, 0.40, 0.40, 0.40, 0.75, 0.75, 1.05, 1.05, 1.05, 0.75, 0.75, 0.75, 0.75, 1.05, 1.05, 1.05, 1.05, 0.40, 0.40, 0.40],
            [0.35, 0.35, 0.35, 0.35, 0.35, 0.55, 0.55, 0.55, 0.65, 0.65, 1.10, 1.10, 1.10, 0.80, 0.80, 0.80, 0.80, 1.10, 1.10, 1.10, 0.95, 0.45, 0.45, 0.45],
            Flat(0.05),
            Flat(0.02),
            Flat(0.20),
            Flat(1.00),
            new SellerPricing(0.03, 0.06, 0.5),
            new SharedStorageParameters(60, 1200, 60, 300, 300, 0.04, 0.015, 0.015),
            new ObjectiveWeights(0.02, 1.0));
    }
}
