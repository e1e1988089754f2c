using System.Globalization;
using System.Text;
using Gateway.Market.DayAhead;
using Spectre.Console;

namespace Gateway.Host.Cli;

/// <summary>
/// One invocation of the schedule verb: load, warm up, solve every seed, check, print Table 6 beside the paper, write
/// every schedule as JSON and CSV, the report and the figures. All runs happen in this one process after a warm-up
/// run of each solver, so the times compare like for like.
/// </summary>
internal sealed class ScheduleSession(TimeProvider timeProvider, IAnsiConsole console)
{
    private const int WarmUpIterations = 20;

    public async Task<int> RunAsync(IReadOnlyList<string> files, ScheduleOptions options, string commandLine, CancellationToken cancellationToken)
    {
        var runner = new ScheduleRunner(timeProvider);
        var results = new List<ScheduleScenarioResult>();
        bool allFeasible = true;
        foreach (string file in files)
        {
            var scenario = DayAheadScenarioLoader.Load(file, File.ReadAllText);
            var market = DayAheadMarket.Create(scenario);
            string dir = options.Summary
                ? Path.Combine(options.OutDir ?? Path.Combine("out", "schedule"), "scenario-" + scenario.Name)
                : options.OutDir ?? Path.Combine("out", "schedule", "scenario-" + scenario.Name);
            var metaheuristics = ScheduleSolvers.Metaheuristics(options.Solver);
            var exact = ScheduleSolvers.Exact(options.Solver);

            // Warm-up: JIT and caches, not measured.
            exact?.Solve(market, cancellationToken);
            foreach (var (_, create) in metaheuristics)
            {
                create(new MetaheuristicOptions(options.Population, WarmUpIterations, 0)).Solve(market, cancellationToken);
            }

            var solvers = new List<(string, IReadOnlyList<ScheduleRun>)>();
            foreach (var (name, create) in metaheuristics)
            {
                var runs = new List<ScheduleRun>();
                foreach (int seed in options.SeedList)
                {
                    runs.Add(runner.Run(create(options.ForSeed(seed)), market, seed, cancellationToken));
                }
                solvers.Add((name, runs));
            }
            if (exact is not null)
            {
                // Deterministic: one schedule, timed as often as each metaheuristic runs.
                var runs = new List<ScheduleRun>();
                for (int i = 0; i < options.Seeds; i++)
                {
                    runs.Add(runner.Run(exact, market, null, cancellationToken));
                }
                solvers.Add(("Exact", runs));
            }

            var result = new ScheduleScenarioResult(market, file, solvers, dir);
            results.Add(result);
            Print(result);
            var written = await ScheduleOutputs.WriteAsync(result, options, commandLine, cancellationToken).ConfigureAwait(false);
            console.MarkupLine($"[grey]wrote {written.Count} files to {Markup.Escape(dir)} (every schedule as JSON and CSV under schedules/)[/]");
            foreach (var run in result.AllRuns.Where(r => r.Violations.Count > 0))
            {
                allFeasible = false;
                console.MarkupLine($"[red]{Markup.Escape(run.Result.Solver)} (seed {run.Seed}) schedule violates {run.Violations.Count} constraints:[/]");
                foreach (string violation in run.Violations.Take(20))
                {
                    console.MarkupLine("  " + Markup.Escape(violation));
                }
            }
        }

        if (options.Summary)
        {
            string path = Path.Combine(options.OutDir ?? Path.Combine("out", "schedule"), "summary.md");
            await File.WriteAllTextAsync(path, Summary(results, commandLine), cancellationToken).ConfigureAwait(false);
            console.MarkupLine($"[grey]wrote {Markup.Escape(path)}[/]");
        }
        return allFeasible ? ExitCodes.Ok : ExitCodes.Failed;
    }

    private void Print(ScheduleScenarioResult result)
    {
        var sc = result.Market.Scenario;
        int seeds = result.Solvers.Max(s => s.Runs.Count);
        var table = new Table().Title(Markup.Escape($"Table 6, scenario {sc.Name} (N = [{string.Join(", ", sc.Classes.Select(c => c.UserCount))}]): mean ± sd over {seeds} runs, beside Energies 2023"));
        foreach (string column in new[] { "Algorithm", "Runs × iterations", "Run time [s]: mean ± sd (min–max)", "Paper [s] (ours/paper)", "Revenue [Yuan]: mean ± sd (min–max)", "Paper [Yuan]", "Gap to exact", "Feasible" })
        {
            table.AddColumn(new TableColumn(Markup.Escape(column)).RightAligned());
        }
        foreach (var r in ScheduleTables.Table6Rows(result))
        {
            // Same cells as the markdown table, folded into fewer columns for a terminal.
            table.AddRow(new[] { r[0], $"{r[1]} × {r[2]}", $"{r[3]} ({r[4]})", r[5] == "–" ? "–" : $"{r[5]} ({r[6]})", $"{r[7]} ({r[8]})", r[9], r[10], r[11] }.Select(Markup.Escape).ToArray());
        }
        console.Write(table);
    }

    private static string Summary(IReadOnlyList<ScheduleScenarioResult> results, string commandLine)
    {
        var md = new StringBuilder();
        md.AppendLine("# Day-ahead schedules, scenarios I–III: Table 6 beside Energies 2023");
        md.AppendLine();
        md.AppendLine($"Produced by `{commandLine}`. Model and assumptions: docs/day-ahead-model.md. Every run's schedule is under `scenario-*/schedules/` as JSON and CSV; `gateway schedule check FILE` re-checks any of them.");
        md.AppendLine();
        foreach (var result in results)
        {
            var sc = result.Market.Scenario;
            md.AppendLine(string.Create(CultureInfo.InvariantCulture, $"## Scenario {sc.Name} (N = [{string.Join(", ", sc.Classes.Select(c => c.UserCount))}]) — report: {Path.GetFileName(result.Dir)}/report.md"));
            md.AppendLine();
            md.Append(ScheduleTables.Table6Markdown(result));
            md.AppendLine();
        }
        md.AppendLine(ScheduleTables.Table6Notes);
        return md.ToString();
    }
}
