using Gateway.Market.DayAhead;

namespace Gateway.Bench;

/// <summary>The scenarios of hil-rigs/energies2023, loaded with the model's own loader from the repository the bench runs in.</summary>
internal static class DayAheadBenchScenario
{
    public static DayAheadScenario Load(string name)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !Directory.Exists(Path.Combine(dir.FullName, "hil-rigs", "energies2023")))
        {
            dir = dir.Parent;
        }
        string root = dir?.FullName ?? throw new InvalidOperationException("hil-rigs/energies2023 not found above " + AppContext.BaseDirectory);
        return DayAheadScenarioLoader.Load(Path.Combine(root, "hil-rigs", "energies2023", $"scenario-{name}.yaml"), File.ReadAllText);
    }
}
