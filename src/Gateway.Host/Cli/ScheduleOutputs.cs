using System.Globalization;
using System.Text;
using Gateway.Reporting;
using Gateway.Market.DayAhead;

namespace Gateway.Host.Cli;

/// <summary>Writes one scenario's outputs: every run's schedule as JSON and CSV, the figures (SVG, and PNG when rsvg-convert is present) and report.md.</summary>
internal static class ScheduleOutputs
{
    /// <summary>File name stem of a run's schedule, e.g. <c>ngo-seed-03</c> or <c>exact</c>.</summary>
    public static string Stem(ScheduleRun run) =>
        run.Seed is int seed
            ? string.Create(CultureInfo.InvariantCulture, $"{Slug(run.Result.Solver)}-seed-{seed:D2}")
            : Slug(run.Result.Solver);

    public static async Task<IReadOnlyList<string>> WriteAsync(ScheduleScenarioResult result, ScheduleOptions options, string command, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(result.Dir);
        var written = new List<string>();
        var market = result.Market;
        string schedules = Path.Combine(result.Dir, "schedules");
        Directory.CreateDirectory(schedules);
        foreach (var (solver, runs) in result.Solvers)
        {
            // The exact reference is deterministic: its timed repetitions share one schedule, written once.
            foreach (var run in solver == "Exact" ? runs.Take(1) : runs)
            {
                var header = new ScheduleFileHeader(run.Result.Solver, run.Seed, run.Result.Iterations, run.Seed is null ? null : options.Population, result.File);
                string stem = Path.Combine(schedules, Stem(run));
                await File.WriteAllTextAsync(stem + ".json", ScheduleFile.ToJson(market, run.Result.Schedule, header), cancellationToken).ConfigureAwait(false);
                await File.WriteAllTextAsync(stem + ".csv", ScheduleFile.ToCsv(market, run.Result.Schedule, header), cancellationToken).ConfigureAwait(false);
                written.Add(stem + ".json");
                written.Add(stem + ".csv");
            }
        }

        var sc = market.Scenario;
        var primary = result.Exact ?? ScheduleScenarioResult.Median(result.Solvers[0].Runs);
        var representatives = result.Solvers.Select(s => ScheduleScenarioResult.Median(s.Runs).Result).ToList();
        var charts = new List<(string File, SvgChart Chart)>();
        for (int k = 0; k < market.ClassCount; k++)
        {
            charts.Add(($"purchase-class-{sc.Classes[k].Name}", ScheduleFigures.PurchaseStrategy(market, primary.Result, k)));
        }
        charts.Add(("storage", ScheduleFigures.StorageLevel(market, representatives)));
        charts.Add(("ev-energy", ScheduleFigures.EvEnergy(market, primary.Result)));
        charts.Add(("operators", ScheduleFigures.OperatorRevenue(market, primary.Result)));
        var curves = result.Solvers.Select(s => s.Runs.OrderBy(r => r.Seed).First().Result).ToList();
        if (curves.Any(r => r.BestObjectiveByIteration.Count > 1))
        {
            charts.Add(("convergence", ScheduleFigures.Convergence(market, curves)));
        }

        string? tool = PngConverter.FindTool();
        var figureLinks = new List<(string Title, string File)>();
        foreach (var (file, chart) in charts)
        {
            string svgPath = Path.Combine(result.Dir, file + ".svg");
            await File.WriteAllTextAsync(svgPath, chart.ToSvg(), cancellationToken).ConfigureAwait(false);
            written.Add(svgPath);
            string link = file + ".svg";
            if (tool is not null)
            {
                string pngPath = Path.Combine(result.Dir, file + ".png");
                var (ok, message) = await PngConverter.ConvertAsync(tool, svgPath, pngPath, cancellationToken).ConfigureAwait(false);
                if (ok)
                {
                    written.Add(pngPath);
                    link = file + ".png";
                }
                else
                {
                    written.Add($"(PNG of {file} failed: {message})");
                }
            }
            figureLinks.Add((chart.Title, link));
        }

        string reportPath = Path.Combine(result.Dir, "report.md");
        await File.WriteAllTextAsync(reportPath, Report(result, primary, command, figureLinks), cancellationToken).ConfigureAwait(false);
        written.Add(reportPath);
        return written;
    }

    public static string Report(ScheduleScenarioResult result, ScheduleRun primary, string command, IReadOnlyList<(string Title, string File)> figures)
    {
        var sc = result.Market.Scenario;
        var md = new StringBuilder();
        md.AppendLine(string.Create(CultureInfo.InvariantCulture, $"# Day-ahead schedule, scenario {sc.Name} (N = [{string.Join(", ", sc.Classes.Select(c => c.UserCount))}])"));
        md.AppendLine();
        md.AppendLine($"Produced by `{command}`. Model and assumptions: docs/day-ahead-model.md. Every schedule: `schedules/*.json` and `*.csv` (re-check with `gateway schedule check FILE`).");
        md.AppendLine();
        md.AppendLine("## Table 6: algorithms (ours beside the paper's)");
        md.AppendLine();
        md.Append(ScheduleTables.Table6Markdown(result));
        md.AppendLine();
        md.AppendLine(ScheduleTables.Table6Notes);
        md.AppendLine();
        md.AppendLine("## Tables 2–4: sellers' revenue per hour and class, Yuan");
        md.AppendLine();
        md.Append(ScheduleTables.Tables2To4Markdown(result));
        md.AppendLine();
        md.AppendLine("## Table 5: average cost of electricity");
        md.AppendLine();
        md.Append(ScheduleTables.Table5Markdown(result));
        md.AppendLine();
        md.AppendLine("## Every stakeholder (eqs. 10–29), Yuan per day");
        md.AppendLine();
        md.Append(ScheduleTables.StakeholdersMarkdown(result));
        md.AppendLine();
        md.AppendLine($"## Figures ({primary.Result.Solver} schedule where one schedule is shown)");
        md.AppendLine();
        foreach (var (title, file) in figures)
        {
            md.AppendLine($"![{title}]({file})");
            md.AppendLine();
        }
        return md.ToString();
    }

    private static string Slug(string solver) => solver.ToLowerInvariant().Replace(' ', '-');
}
