using Gateway.Market.DayAhead;

namespace Gateway.Market.Tests.DayAhead;

/// <summary>The three scenarios of hil-rigs/energies2023, loaded from the repository's YAML files with the model's own loader.</summary>
internal static class PaperScenarios
{
    public static readonly int[][] Users = [[80, 50, 40], [30, 50, 80], [40, 40, 80]];
    public static readonly string[] Names = ["I", "II", "III"];

    public static string Directory()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !System.IO.Directory.Exists(Path.Combine(dir.FullName, "hil-rigs", "energies2023")))
        {
            dir = dir.Parent;
        }
        return Path.Combine(dir?.FullName ?? throw new InvalidOperationException("hil-rigs/energies2023 not found above " + AppContext.BaseDirectory), "hil-rigs", "energies2023");
    }

    public static string File(int index) => Path.Combine(Directory(), $"scenario-{Names[index]}.yaml");

    public static DayAheadScenario Scenario(int index) => DayAheadScenarioLoader.Load(File(index), System.IO.File.ReadAllText);

    public static DayAheadMarket Market(int index) => DayAheadMarket.Create(Scenario(index));
}
