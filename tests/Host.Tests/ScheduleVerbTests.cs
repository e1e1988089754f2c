using System.CommandLine;
using Gateway.Host.Cli;
using Gateway.Host.Reports;
using Gateway.Testing;
using Spectre.Console;

namespace Gateway.Host.Tests;

public class ScheduleVerbTests
{
    private static async Task<(int ExitCode, string Output)> RunAsync(params string[] args)
    {
        var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors });
        var root = new RootCommand();
        root.Subcommands.Add(ScheduleVerb.Create(new ManualTimeProvider(), console));
        int code = await root.Parse(["schedule", .. args]).InvokeAsync();
        return (code, writer.ToString());
    }

    [Fact]
    public async Task Runs_scenario_I_with_every_solver_and_writes_the_report_and_figures()
    {
        string dir = ScheduleTestFiles.TempDir();
        try
        {
            var (code, output) = await RunAsync("--scenario", ScheduleTestFiles.Scenario("I"), "--iterations", "15", "--population", "6", "--seed", "3", "--out", dir);
            Assert.True(code == ExitCodes.Ok, output);
            Assert.Contains("Exact", output, StringComparison.Ordinal);
            Assert.Contains("NGO", output, StringComparison.Ordinal);
            Assert.Contains("PSO", output, StringComparison.Ordinal);
            Assert.DoesNotContain("violated", output, StringComparison.Ordinal);
            foreach (string figure in new[] { "purchase-class-A", "purchase-class-B", "purchase-class-C", "storage", "operators", "convergence" })
            {
                Assert.True(File.Exists(Path.Combine(dir, figure + ".svg")), figure + ".svg missing");
                if (PngConverter.FindTool() is not null)
                {
                    Assert.True(new FileInfo(Path.Combine(dir, figure + ".png")).Length > 1000, figure + ".png missing or empty");
                }
            }
            string report = await File.ReadAllTextAsync(Path.Combine(dir, "report.md"));
            Assert.Contains("| Exact | 1 |", report, StringComparison.Ordinal);
            Assert.Contains("2922.221", report, StringComparison.Ordinal); // published Table 6 beside ours
            Assert.Contains("415.038", string.Join(" ", SchedulePublishedResults.SellerRevenueByScenario["I"].Select(r => r[0])), StringComparison.Ordinal);
            Assert.Contains("all hold", report, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task A_bad_scenario_file_exits_2_naming_file_and_path()
    {
        string dir = ScheduleTestFiles.TempDir();
        try
        {
            string path = Path.Combine(dir, "broken.yaml");
            File.Copy(Path.Combine(ScheduleTestFiles.RepoRoot(), "hil-rigs", "energies2023", "base.yaml"), Path.Combine(dir, "base.yaml"));
            await File.WriteAllTextAsync(path, "extends: base.yaml\nusers: {A: 10, B: -4, C: 3}\n");
            var (code, output) = await RunAsync("--scenario", path, "--solver", "ngo", "--iterations", "2", "--out", dir);
            Assert.Equal(ExitCodes.BadInput, code);
            Assert.Contains("broken.yaml:2:", output, StringComparison.Ordinal);
            Assert.Contains("users.B", output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("--solver", "simplex")]
    [InlineData("--iterations", "0")]
    public async Task Bad_arguments_exit_2(string option, string value)
    {
        var (code, output) = await RunAsync("--scenario", ScheduleTestFiles.Scenario("I"), option, value);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("error", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Needs_exactly_one_of_scenario_or_all_scenarios()
    {
        var (code, output) = await RunAsync();
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("--scenario FILE or --all-scenarios", output, StringComparison.Ordinal);
    }
}
