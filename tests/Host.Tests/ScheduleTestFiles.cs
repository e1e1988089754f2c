namespace Gateway.Host.Tests;

/// <summary>Finds files of the repository the tests run from.</summary>
internal static class ScheduleTestFiles
{
    public static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !Directory.Exists(Path.Combine(dir.FullName, "hil-rigs", "energies2023")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("repository root with hil-rigs/energies2023 not found above " + AppContext.BaseDirectory);
    }

    public static string Scenario(string name) => Path.Combine(RepoRoot(), "hil-rigs", "energies2023", $"scenario-{name}.yaml");

    public static string BaseText() => File.ReadAllText(Path.Combine(RepoRoot(), "hil-rigs", "energies2023", "base.yaml"));

    public static string TempDir()
    {
        string dir = Path.Combine(Path.GetTempPath(), "gateway-schedule-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
