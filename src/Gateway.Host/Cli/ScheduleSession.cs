using System.Globalization;
using System.Text;
using Gateway.Market.DayAhead;
using Spectre.Console;

namespace Gateway.Host.Cli;

/// <summary>One invocation of the schedule verb: load, solve, check, print, write.</summary>
internal sealed class ScheduleSession(TimeProvider timeProvider, IAnsiConsole console)
{
    public async Task<int> RunAsync(
        IReadOnlyList<string> files, string solverChoice, MetaheuristicOptions options, string? outDir, bool summary, string commandLine, CancellationToken cancellationToken)
    {
        var runner = new ScheduleRunner(timeProvider);
        var results = new List<(DayAheadMarket Market, IReadOnlyList<ScheduleRun> Runs, string Dir)>();
        bool allFeasible = true;
        foreach (string file in files)
        {
            var scenario = await ScheduleScenarioLoader.LoadAsync(file, cancellationToken).ConfigureAwait(false);
            var market = DayAheadMarket.Create(scenario);
            var runs = new List<ScheduleRun>();
            foreach (var solver in ScheduleSolvers.Create(solverChoice, options))
            {
                runs.Add(runner.Run(solver, market, cancellationToken));
            }
            string dir = summary
                ? Path.Combine(outDir ?? Path.Combine("out", "schedule"), "scenario-" + scenario.Name)
                : outDir ?? Path.Combine("out", "schedule", "scenario-" + scenario.Name);
            Print(market, runs);
            var written = await ScheduleReport.WriteAsync(dir, market, runs, commandLine, cancellationToken).ConfigureAwait(false);
            console.MarkupLine($"[grey]wrote {written.Count} files to {Markup.Escape(dir)}[/]");
            foreach (var run in runs.Where(r => r.Violations.Count > 0))
            {
                allFeasible = false;
                console.MarkupLine($"[red]{run.Result.Solver} schedule violates {run.Violations.Count} constraints:[/]");
                foreach (string violation in run.Violations.Take(20))
                {
                    console.MarkupLine("  " + Markup.Escape(violation));
                }
            }
            results.Add((market, runs, dir));
        }

        if (summary)
        {
            string path = Path.Combine(outDir ?? Path.Combine("out", "schedule"), "summary.md");
            await File.WriteAllTextAsync(path, Summary(results, commandLine), cancellationToken).ConfigureAwait(false);
            console.MarkupLine($"[grey]wrote {Markup.Escape(path)}[/]");
        }
        return allFeasible ? ExitCodes.Ok : ExitCodes.Failed;
    }

    private void Print(DayAheadMarket market, IReadOnlyList<ScheduleRun> runs)
    {
        var sc = market.Scenario;
        var table = new Table().Title(Markup.Escape($"Scenario {sc.Name}: N = [{string.Join(", ", sc.Classes.Select(c => c.UserCount))}]"));
        foreach (string column in new[] { "Solver", "Iterations", "Run time [s]", "Objective J [Yuan]", "Sellers' revenue [Yuan]", "Buyers' indirect income [Yuan]", "Storage rent [Yuan]", "Constraints" })
        {
            table.AddColumn(new TableColumn(Markup.Escape(column)).RightAligned());
        }
        foreach (var run in runs)
        {
            var o = run.Result.Outcome;
            table.AddRow(
                run.Result.Solver,
                run.Result.Iterations.ToString(CultureInfo.InvariantCulture),
                run.WallTime.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture),
                o.Objective.ToString("0.000", CultureInfo.InvariantCulture),
                o.SellerRevenue.ToString("0.000", CultureInfo.InvariantCulture),
                o.BuyerIndirectIncome.ToString("0.000", CultureInfo.InvariantCulture),
                o.StorageRent.ToString("0.000", CultureInfo.InvariantCulture),
                run.Violations.Count == 0 ? "[green]all hold[/]" : $"[red]{run.Violations.Count} violated[/]");
        }
        console.Write(table);

        var primary = ScheduleReport.Primary(runs);
        var hourly = new Table().Title(Markup.Escape($"Sellers' revenue per hour [Yuan] ({primary.Result.Solver})"));
        hourly.AddColumn("Hour");
        foreach (var c in sc.Classes)
        {
            hourly.AddColumn(new TableColumn("Class " + Markup.Escape(c.Name)).RightAligned());
        }
        hourly.AddColumn(new TableColumn("Storage [[kWh]]").RightAligned());
        for (int t = 0; t < market.PeriodCount; t++)
        {
            var row = new List<string> { (t + 1).ToString(CultureInfo.InvariantCulture) };
            row.AddRange(primary.Result.Outcome.SellerRevenueByPeriodAndClass[t].Select(v => v.ToString("0.000", CultureInfo.InvariantCulture)));
            row.Add(primary.Result.Schedule.StorageEnergyKwh[t].ToString("0.0", CultureInfo.InvariantCulture));
            hourly.AddRow(row.ToArray());
        }
        console.Write(hourly);
    }

    private static string Summary(List<(DayAheadMarket Market, IReadOnlyList<ScheduleRun> Runs, string Dir)> results, string commandLine)
    {
        var md = new StringBuilder();
        md.AppendLine("# Day-ahead schedules, scenarios I–III: solver comparison (Table 6 shape)");
        md.AppendLine();
        md.AppendLine($"Produced by `{commandLine}`.");
        md.AppendLine();
        foreach (var (market, runs, dir) in results)
        {
            md.AppendLine(string.Create(CultureInfo.InvariantCulture, $"## Scenario {market.Scenario.Name} (N = [{string.Join(", ", market.Scenario.Classes.Select(c => c.UserCount))}]) — report: {Path.GetFileName(dir)}/report.md"));
            md.AppendLine();
            md.Append(ScheduleReport.SolverTable(runs));
            md.AppendLine();
            foreach (string sentence in ScheduleReport.Differences(runs))
            {
                md.AppendLine("- " + sentence);
            }
            md.AppendLine();
        }
        md.AppendLine($"Published ({SchedulePublishedResults.Source}; the paper does not say which scenario Table 6 belongs to):");
        md.AppendLine();
        md.AppendLine("| Algorithm | Iterations | Run time [s] | Revenue [Yuan] |");
        md.AppendLine("|---|---:|---:|---:|");
        foreach (var row in SchedulePublishedResults.Table6)
        {
            md.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| {row.Algorithm} | {row.Iterations} | {row.RunTimeSeconds:0.000} | {row.RevenueYuan:0.000} |"));
        }
        return md.ToString();
    }
}
