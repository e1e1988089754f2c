using Gateway.Host.Cli;

namespace Gateway.Host.Tests;

/// <summary>`gateway compare`: Fig. 4 over several simulated days (mean ± sd) and the congestion sweep's chart.</summary>
public sealed class CompareVerbTests
{
    private static DirectoryInfo Report(string root, string name, params (int Matched, double Success, double Renewable, int Sellers)[] rounds)
    {
        var dir = Directory.CreateDirectory(Path.Combine(root, name));
        var lines = new List<string> { "round,interval_start_utc,buyers,sellers,matched,executed,failed,via_smes,settled_kwh,smes_kwh,grid_kwh,success_rate,renewable_rate,welfare,setpoints_confirmed,setpoints_missed" };
        var k = 0;
        foreach (var (matched, success, renewable, sellers) in rounds)
            lines.Add(FormattableString.Invariant($"r{k++},2026-06-01T00:00:00Z,1,{sellers},{matched},{matched},0,0,1,0,0,{success},{renewable},0,1,0"));
        File.WriteAllLines(Path.Combine(dir.FullName, "rounds.csv"), lines);
        return dir;
    }

    [Fact]
    public async Task Several_days_give_the_mean_over_days_of_each_days_mean_over_rounds()
    {
        var root = Directory.CreateTempSubdirectory("compare-").FullName;
        try
        {
            // Day 1: success over rounds that matched (0.5, 1.0) → 0.75; day 2 → 0.55. Renewable over rounds with sellers.
            var with = new[] { Report(root, "w1", (2, 0.5, 0.4, 3), (1, 1.0, 0.6, 2), (0, 0, 0, 0)), Report(root, "w2", (1, 0.55, 0.3, 1)) };
            var without = new[] { Report(root, "o1", (2, 0.4, 0.2, 3)), Report(root, "o2", (2, 0.6, 0.4, 3)) };
            var stdout = new StringWriter();
            var previous = Console.Out;
            Console.SetOut(stdout);
            int code;
            try
            {
                code = await CompareVerb.RunAsync(with, without, new FileInfo(Path.Combine(root, "fig.svg")), json: true, CancellationToken.None);
            }
            finally
            {
                Console.SetOut(previous);
            }

            Assert.Equal(ExitCodes.Ok, code);
            var json = System.Text.Json.Nodes.JsonNode.Parse(stdout.ToString())!;
            Assert.Equal(2, (int)json["days"]!);
            Assert.Equal((0.75 + 0.55) / 2, (double)json["successWith"]!["Mean"]!, 9);
            Assert.Equal(Math.Sqrt(2 * 0.1 * 0.1), (double)json["successWith"]!["Sd"]!, 9);
            Assert.Equal(0.5, (double)json["successWithout"]!["Mean"]!, 9);
            Assert.Equal((0.5 + 0.3) / 2, (double)json["renewableWith"]!["Mean"]!, 9);
            Assert.Equal(0.545, (double)json["paper"]!["successWithout"]!, 9);
            Assert.Contains("<svg", await File.ReadAllTextAsync(Path.Combine(root, "fig.svg")));
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }

    [Fact]
    public async Task Unpaired_days_and_a_broken_sweep_file_exit_2()
    {
        var root = Directory.CreateTempSubdirectory("compare-").FullName;
        try
        {
            var w = Report(root, "w", (1, 1, 1, 1));
            Assert.Equal(ExitCodes.BadInput, await CompareVerb.RunAsync([w], [], null, false, CancellationToken.None));
            var csv = Path.Combine(root, "sweep.csv");
            await File.WriteAllTextAsync(csv, "level,success_without\nnone,0.5\n");
            Assert.Equal(ExitCodes.BadInput, await CompareVerb.SweepAsync(new FileInfo(csv), new FileInfo(Path.Combine(root, "s.svg")), CancellationToken.None));
            await File.WriteAllTextAsync(csv, "level,limit_kw,success_without,success_with,renewable_without,renewable_with\nno limit,none,0.9,0.95,0.6,0.7\n10 kW,10,0.55,0.7,0.4,0.5\n");
            Assert.Equal(ExitCodes.Ok, await CompareVerb.SweepAsync(new FileInfo(csv), new FileInfo(Path.Combine(root, "s.svg")), CancellationToken.None));
            Assert.Contains("10 kW", await File.ReadAllTextAsync(Path.Combine(root, "s.svg")));
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }
}
