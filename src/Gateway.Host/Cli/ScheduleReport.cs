using System.Globalization;
using System.Text;
using Gateway.Host.Reports;
using Gateway.Market.DayAhead;

namespace Gateway.Host.Cli;

/// <summary>Writes one scenario's report: figures (SVG, and PNG when rsvg-convert is present) and report.md.</summary>
internal static class ScheduleReport
{
    /// <summary>The solver whose schedule the per-class figures show: the exact optimum when it ran, else the first.</summary>
    public static ScheduleRun Primary(IReadOnlyList<ScheduleRun> runs) =>
        runs.FirstOrDefault(r => r.Result.Solver == "Exact") ?? runs[0];

    public static async Task<IReadOnlyList<string>> WriteAsync(
        string outDir, DayAheadMarket market, IReadOnlyList<ScheduleRun> runs, string command, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(outDir);
        var written = new List<string>();
        var primary = Primary(runs);
        var sc = market.Scenario;

        var charts = new List<(string File, SvgChart Chart)>();
        for (int k = 0; k < market.ClassCount; k++)
        {
            charts.Add(($"purchase-class-{sc.Classes[k].Name}", ScheduleFigures.PurchaseStrategy(market, primary.Result, k)));
        }
        charts.Add(("storage", ScheduleFigures.StorageLevel(market, runs.Select(r => r.Result).ToList())));
        charts.Add(("operators", ScheduleFigures.OperatorRevenue(market, primary.Result)));
        if (runs.Any(r => r.Result.BestObjectiveByIteration.Count > 1))
        {
            charts.Add(("convergence", ScheduleFigures.Convergence(market, runs.Select(r => r.Result).ToList())));
        }

        string? tool = PngConverter.FindTool();
        var figureLinks = new List<(string Title, string File)>();
        foreach (var (file, chart) in charts)
        {
            string svgPath = Path.Combine(outDir, file + ".svg");
            await File.WriteAllTextAsync(svgPath, chart.ToSvg(), cancellationToken).ConfigureAwait(false);
            written.Add(svgPath);
            string link = file + ".svg";
            if (tool is not null)
            {
                string pngPath = Path.Combine(outDir, file + ".png");
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

        string reportPath = Path.Combine(outDir, "report.md");
        await File.WriteAllTextAsync(reportPath, Markdown(market, runs, primary, command, figureLinks), cancellationToken).ConfigureAwait(false);
        written.Add(reportPath);
        return written;
    }

    public static string Markdown(DayAheadMarket market, IReadOnlyList<ScheduleRun> runs, ScheduleRun primary, string command, IReadOnlyList<(string Title, string File)> figures)
    {
        var sc = market.Scenario;
        var md = new StringBuilder();
        md.AppendLine(Inv($"# Day-ahead schedule, scenario {sc.Name} (N = [{string.Join(", ", sc.Classes.Select(c => c.UserCount))}])"));
        md.AppendLine();
        md.AppendLine($"Produced by `{command}`. Model and assumptions: docs/day-ahead-model.md.");
        md.AppendLine();
        md.AppendLine("## Solver comparison (Table 6 shape)");
        md.AppendLine();
        md.Append(SolverTable(runs));
        md.AppendLine();
        md.AppendLine($"Published ({SchedulePublishedResults.Source}):");
        md.AppendLine();
        md.AppendLine("| Algorithm | Iterations | Run time [s] | Revenue [Yuan] |");
        md.AppendLine("|---|---:|---:|---:|");
        foreach (var row in SchedulePublishedResults.Table6)
        {
            md.AppendLine(Inv($"| {row.Algorithm} | {row.Iterations} | {row.RunTimeSeconds:0.000} | {row.RevenueYuan:0.000} |"));
        }
        md.AppendLine();
        foreach (string sentence in Differences(runs))
        {
            md.AppendLine("- " + sentence);
        }
        md.AppendLine();

        md.AppendLine(Inv($"## Sellers' revenue per hour and class (Tables 2–4 shape, {primary.Result.Solver} schedule)"));
        md.AppendLine();
        SchedulePublishedResults.SellerRevenueByScenario.TryGetValue(sc.Name, out var published);
        md.Append("| Hour | ").Append(string.Join(" | ", sc.Classes.Select(c => $"Class {c.Name} [Yuan]"))).Append(" | Sellers' profit [Yuan]");
        md.AppendLine(published is null ? " |" : " | Published profit [Yuan] |");
        md.Append("|---:|").Append(string.Concat(sc.Classes.Select(_ => "---:|"))).AppendLine(published is null ? "---:|" : "---:|---:|");
        var revenue = primary.Result.Outcome.SellerRevenueByPeriodAndClass;
        for (int t = 0; t < market.PeriodCount; t++)
        {
            md.Append(Inv($"| {t + 1} | ")).Append(string.Join(" | ", revenue[t].Select(v => v.ToString("0.000", CultureInfo.InvariantCulture))));
            md.Append(Inv($" | {revenue[t].Sum():0.000}"));
            md.AppendLine(published is null || t >= published.Length ? " |" : Inv($" | {published[t].Sum():0.000} |"));
        }
        md.Append("| **day** | ").Append(string.Join(" | ", Enumerable.Range(0, market.ClassCount).Select(k => revenue.Sum(r => r[k]).ToString("0.000", CultureInfo.InvariantCulture))));
        md.Append(Inv($" | **{primary.Result.Outcome.SellerRevenue:0.000}**"));
        md.AppendLine(published is null ? " |" : Inv($" | **{published.Sum(r => r.Sum()):0.000}** |"));
        md.AppendLine();

        md.AppendLine("## Every stakeholder (eqs. 10–29), Yuan per day");
        md.AppendLine();
        md.AppendLine("| Solver | Sellers R_s | Buyers' cost C_b | Buyers' indirect income R_b | Platform | Grid | Company | Storage rent | Storage revenue R_ES | Preference satisfaction |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var run in runs)
        {
            var o = run.Result.Outcome;
            md.AppendLine(Inv($"| {run.Result.Solver} | {o.SellerRevenue:0.00} | {o.BuyerCost:0.00} | {o.BuyerIndirectIncome:0.00} | {o.PlatformRevenue:0.00} | {o.GridRevenue:0.00} | {o.CompanyRevenue:0.00} | {o.StorageRent:0.00} | {o.StorageRevenue:0.00} | {o.PreferenceSatisfaction:0.000} |"));
        }
        md.AppendLine();
        md.AppendLine("## Figures");
        md.AppendLine();
        foreach (var (title, file) in figures)
        {
            md.AppendLine($"![{title}]({file})");
            md.AppendLine();
        }
        return md.ToString();
    }

    public static string SolverTable(IReadOnlyList<ScheduleRun> runs)
    {
        var exact = runs.FirstOrDefault(r => r.Result.Solver == "Exact");
        var md = new StringBuilder();
        md.AppendLine("| Solver | Iterations | Run time [s] | Objective J [Yuan] | Sellers' revenue [Yuan] | Gap to exact | Constraints |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---|");
        foreach (var run in runs)
        {
            var o = run.Result.Outcome;
            string gap = exact is null ? "n/a" : Inv($"{100 * (exact.Result.Outcome.Objective - o.Objective) / Math.Abs(exact.Result.Outcome.Objective):0.00} %");
            string check = run.Violations.Count == 0 ? "all hold" : $"{run.Violations.Count} violated";
            md.AppendLine(Inv($"| {run.Result.Solver} | {run.Result.Iterations} | {run.WallTime.TotalSeconds:0.000} | {o.Objective:0.000} | {o.SellerRevenue:0.000} | {gap} | {check} |"));
        }
        return md.ToString();
    }

    /// <summary>One sentence per difference between our Table 6 and the published one.</summary>
    public static IReadOnlyList<string> Differences(IReadOnlyList<ScheduleRun> runs)
    {
        var sentences = new List<string>();
        var ngo = runs.FirstOrDefault(r => r.Result.Solver == "NGO");
        var pso = runs.FirstOrDefault(r => r.Result.Solver == "PSO");
        var exact = runs.FirstOrDefault(r => r.Result.Solver == "Exact");
        var table = SchedulePublishedResults.Table6;
        double publishedRatio = table[0].RevenueYuan / table[2].RevenueYuan;
        sentences.Add(Inv($"Revenue: the paper's \"revenue situation\" ({table[0].RevenueYuan:0.000} Yuan for improved NGO) is not defined in it and rests on prices (Fig. 6) and PV data (Fig. 4) published only as plots, so our J is computed on the documented assumptions and only the ratios between solvers compare."));
        if (ngo is not null && pso is not null)
        {
            double ratio = ngo.Result.Outcome.Objective / pso.Result.Outcome.Objective;
            sentences.Add(Inv($"NGO vs PSO: the paper has improved NGO {100 * (publishedRatio - 1):0.0} % above PSO; here NGO is {100 * (ratio - 1):+0.0;-0.0} % against PSO with the same iterations, population and seed."));
            double timeRatio = pso.WallTime.TotalSeconds / Math.Max(1e-9, ngo.WallTime.TotalSeconds);
            sentences.Add(Inv($"Run time: the paper reports PSO 2.0× slower than improved NGO ({table[2].RunTimeSeconds:0.000} s vs {table[0].RunTimeSeconds:0.000} s, machine not stated); here PSO takes {timeRatio:0.00}× NGO's time — NGO evaluates two candidates per goshawk per iteration, PSO one per particle, so per iteration NGO does twice the work (times from one run on a shared 2-core machine)."));
        }
        sentences.Add(Inv($"Improved PSO: the paper's third column ({table[1].RevenueYuan:0.000} Yuan) is its own PSO variant (inertia-weight model plus simulated annealing, described only in words); issue 7 asks for standard PSO as the baseline, so that column has no counterpart here."));
        sentences.Add("Iterations: the paper stops every algorithm at 500 iterations; the metaheuristics here run the iteration count given on the command line (500 for the published comparison) and the exact solver solves the model once, so its iteration count is 1.");
        if (exact is not null)
        {
            foreach (var run in new[] { ngo, pso }.Where(r => r is not null))
            {
                double gap = 100 * (exact.Result.Outcome.Objective - run!.Result.Outcome.Objective) / Math.Abs(exact.Result.Outcome.Objective);
                sentences.Add(Inv($"Exact optimum: the paper has no exact yardstick; COIN-OR proves the optimum of the same model is {exact.Result.Outcome.Objective:0.000} Yuan, so {run.Result.Solver} is {gap:0.00} % below the best any solver can reach."));
            }
        }
        return sentences;
    }

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
