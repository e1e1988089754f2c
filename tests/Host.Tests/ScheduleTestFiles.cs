namespace Gateway.Host.Tests;

/// <summary>Finds files of the repository the tests run from.</summary>
internal static class ScheduleTestFiles
{
    public static string RepoRoot() => Repository.Root;

    public static string Scenario(string name) => Path.Combine(RepoRoot(), "hil-rigs", "energies2023", $"scenario-{name}.yaml");

    public static string BaseText() => File.ReadAllText(Path.Combine(RepoRoot(), "hil-rigs", "energies2023", "base.yaml"));

    public static string TempDir()
    {
        string dir = Path.Combine(Path.GetTempPath(), "gateway-schedule-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
