using System.CommandLine;
using System.Text.Json;
using Gateway.Host.Cli;
using Gateway.Reporting;
using Gateway.Testing;
using Spectre.Console;

namespace Gateway.Host.Tests;

public class ScheduleVerbTests
{
    private static async Task<(int ExitCode, string Output)> RunAsync(params string[] args)
    {
        var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors });
        console.Profile.Width = 400;
        var root = new RootCommand();
        root.Subcommands.Add(ScheduleVerb.Create(TestClocks.New(), console, ScheduleTestFiles.RepoRoot()));
        int code = await root.Parse(["schedule", .. args]).InvokeAsync();
        return (code, writer.ToString());
    }

    [Fact]
    public async Task All_scenarios_print_table_6_for_every_solver_and_every_written_schedule_passes_schedule_check()
    {
        string dir = ScheduleTestFiles.TempDir();
        try
        {
            var (code, output) = await RunAsync("--all-scenarios", "--seeds", "2", "--iterations", "12", "--population", "6", "--out", dir);
            Assert.True(code == ExitCodes.Ok, output);
            foreach (string name in new[] { "Improved NGO", "Improved PSO", "PSO", "Exact", "2922.221", "2883.968", "2621.941", "±" })
            {
                Assert.Contains(name, output, StringComparison.Ordinal);
            }
            Assert.True(File.Exists(Path.Combine(dir, "summary.md")));

            var files = Directory.GetFiles(dir, "*.*", SearchOption.AllDirectories).Where(f => f.Contains("schedules", StringComparison.Ordinal)).ToList();
            // Three scenarios × (three metaheuristics × two seeds + the exact reference) × JSON and CSV.
            Assert.Equal(3 * (3 * 2 + 1) * 2, files.Count);
            foreach (string solver in new[] { "ngo-seed-01", "improved-pso-seed-02", "pso-seed-01", "exact" })
            {
                Assert.Contains(files, f => Path.GetFileName(f) == solver + ".json");
                Assert.Contains(files, f => Path.GetFileName(f) == solver + ".csv");
            }
            var (checkCode, checkOutput) = await RunAsync(["check", .. files]);
            Assert.True(checkCode == ExitCodes.Ok, checkOutput);
            Assert.Equal(files.Count, checkOutput.Split('\n').Count(l => l.Contains(": ok — ", StringComparison.Ordinal)));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Runs_one_scenario_and_writes_the_report_figures_and_tables_2_to_6()
    {
        string dir = ScheduleTestFiles.TempDir();
        try
        {
            var (code, output) = await RunAsync("--scenario", ScheduleTestFiles.Scenario("I"), "--iterations", "10", "--population", "6", "--seeds", "1", "--seed", "3", "--out", dir);
            Assert.True(code == ExitCodes.Ok, output);
            foreach (string figure in new[] { "purchase-class-A", "purchase-class-B", "purchase-class-C", "storage", "ev-energy", "operators", "convergence" })
            {
                Assert.True(File.Exists(Path.Combine(dir, figure + ".svg")), figure + ".svg missing");
                if (PngConverter.FindTool() is not null)
                {
                    Assert.True(new FileInfo(Path.Combine(dir, figure + ".png")).Length > 1000, figure + ".png missing or empty");
                }
            }
            string report = await File.ReadAllTextAsync(Path.Combine(dir, "report.md"));
            Assert.Contains("| Exact | 1 | 1 |", report, StringComparison.Ordinal);
            Assert.Contains("2922.221", report, StringComparison.Ordinal); // published Table 6 beside ours
            Assert.Contains("415.038", report, StringComparison.Ordinal); // Table 2, class A at 21 h, beside ours
            Assert.Contains("| Energies 2023, Table 5 | 1.30 | 0.74 |", report, StringComparison.Ordinal);
            Assert.Contains("1/1", report, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Check_catches_a_tampered_schedule_and_a_false_objective_in_json_and_csv()
    {
        string dir = ScheduleTestFiles.TempDir();
        try
        {
            var (code, output) = await RunAsync("--scenario", ScheduleTestFiles.Scenario("II"), "--solver", "exact", "--seeds", "1", "--out", dir);
            Assert.True(code == ExitCodes.Ok, output);
            string json = Path.Combine(dir, "schedules", "exact.json");
            string csv = Path.Combine(dir, "schedules", "exact.csv");

            // JSON: claim more revenue than the flows give.
            var doc = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(json))!;
            doc["objective"] = doc["objective"]!.GetValue<double>() + 10;
            string lying = Path.Combine(dir, "lying.json");
            await File.WriteAllTextAsync(lying, doc.ToJsonString());
            var (c1, o1) = await RunAsync("check", lying);
            Assert.Equal(ExitCodes.Failed, c1);
            Assert.Contains("objective: the file states", o1, StringComparison.Ordinal);

            // CSV: one more kWh sold by a seller than any buyer bought (hour 10, first seller row with a sale).
            var lines = (await File.ReadAllLinesAsync(csv)).ToList();
            var header = lines.First(l => l.StartsWith("period,", StringComparison.Ordinal)).Split(',');
            int pvSold = Array.IndexOf(header, "pvSoldKwh");
            int row = lines.FindIndex(l => l.Split(',') is { Length: > 3 } c && c[2] == "seller" && c[0] == "10");
            var cells = lines[row].Split(',');
            cells[pvSold] = (double.Parse(cells[pvSold], System.Globalization.CultureInfo.InvariantCulture) + 1).ToString("R", System.Globalization.CultureInfo.InvariantCulture);
            cells[Array.IndexOf(header, "pvCurtailedKwh")] = "-1";
            lines[row] = string.Join(",", cells);
            string broken = Path.Combine(dir, "broken.csv");
            await File.WriteAllLinesAsync(broken, lines);
            var (c2, o2) = await RunAsync("check", broken);
            Assert.Equal(ExitCodes.Failed, c2);
            Assert.Contains("period 10: eq. (7)", o2, StringComparison.Ordinal);
            Assert.Contains("must be a finite non-negative energy", o2, StringComparison.Ordinal);

            // --json: one line per file, and an unreadable file is bad input with its reason.
            string garbage = Path.Combine(dir, "garbage.json");
            await File.WriteAllTextAsync(garbage, "{\"format\": 3");
            var (c3, o3) = await RunAsync("check", "--json", json, garbage);
            Assert.Equal(ExitCodes.BadInput, c3);
            var results = o3.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
            Assert.True(results[0].GetProperty("ok").GetBoolean());
            Assert.False(results[1].GetProperty("ok").GetBoolean());
            Assert.Contains("not valid JSON", results[1].GetProperty("error").GetString(), StringComparison.Ordinal);
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
    [InlineData("--seeds", "0")]
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
