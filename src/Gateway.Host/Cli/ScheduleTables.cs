using System.Globalization;
using System.Text;
using Gateway.Market.DayAhead;

namespace Gateway.Host.Cli;

/// <summary>The paper's Tables 2–6 with our numbers beside the published ones.</summary>
internal static class ScheduleTables
{
    public static readonly string[] Table6Columns =
    [
        "Algorithm", "Runs", "Iterations", "Run time [s] mean ± sd", "min–max [s]", "Paper [s]", "Ours / paper",
        "Revenue [Yuan] mean ± sd", "min–max [Yuan]", "Paper [Yuan]", "Gap to exact", "Schedules feasible",
    ];

    public const string Table6Notes =
        "Revenue is the users' revenue R_s + R_b − F^ES (sellers' revenue plus buyers' savings against the grid price, less the storage rent; docs/day-ahead-model.md says why), the quantity every solver maximises. "
        + "Run times are wall time of each run in one process after a warm-up run of every solver, on a shared 2-core machine; the paper does not name its machine, so only ratios between algorithms compare. "
        + "The exact reference is the LP optimum of the same model (OR-Tools GLOP), deterministic; it is timed as often as each metaheuristic runs. "
        + "The paper does not say which scenario Table 6 belongs to; its row is set beside every scenario.";

    public static IEnumerable<string[]> Table6Rows(ScheduleScenarioResult result)
    {
        double? exact = result.Exact?.Result.Outcome.Objective;
        foreach (var (solver, runs) in result.Solvers)
        {
            var time = ScheduleStatistics.Of(runs.Select(r => r.WallTime.TotalSeconds).ToList());
            var value = ScheduleStatistics.Of(runs.Select(r => r.Result.Outcome.Objective).ToList());
            var paper = SchedulePublishedResults.Table6Row(solver);
            string gap = exact is double e && e != 0 ? Inv($"{Math.Max(0.0, 100 * (e - value.Mean) / Math.Abs(e)):0.00} %") : "n/a";
            int feasible = runs.Count(r => r.Violations.Count == 0);
            yield return
            [
                solver == "NGO" ? "Improved NGO" : solver,
                Inv($"{runs.Count}"),
                Inv($"{runs[0].Result.Iterations}"),
                time.MeanSd("0.000"),
                time.Range("0.000"),
                paper is null ? "–" : Inv($"{paper.RunTimeSeconds:0.000}"),
                paper is null ? "–" : Inv($"{time.Mean / paper.RunTimeSeconds:0.00}×"),
                value.MeanSd("0.0"),
                value.Range("0.0"),
                paper is null ? "–" : Inv($"{paper.RevenueYuan:0.000}"),
                gap,
                Inv($"{feasible}/{runs.Count}"),
            ];
        }
    }

    public static string Table6Markdown(ScheduleScenarioResult result)
    {
        var md = new StringBuilder();
        md.AppendLine("| " + string.Join(" | ", Table6Columns) + " |");
        md.AppendLine("|---|" + string.Concat(Enumerable.Repeat("---:|", Table6Columns.Length - 1)));
        foreach (var row in Table6Rows(result))
        {
            md.AppendLine("| " + string.Join(" | ", row) + " |");
        }
        var ngo = result.RunsOf("NGO");
        var pso = result.RunsOf("PSO");
        if (ngo is not null && pso is not null)
        {
            double ours = pso.Average(r => r.WallTime.TotalSeconds) / ngo.Average(r => r.WallTime.TotalSeconds);
            var t6 = SchedulePublishedResults.Table6;
            md.AppendLine();
            md.AppendLine(Inv($"PSO / improved NGO run time: {ours:0.00} here, {t6[2].RunTimeSeconds / t6[0].RunTimeSeconds:0.00} in the paper. Improved NGO evaluates two candidates per goshawk and iteration (exploration and pursuit), PSO one per particle, so at equal population and iterations NGO does twice PSO's work."));
            double ngoMean = ngo.Average(r => r.Result.Outcome.Objective), psoMean = pso.Average(r => r.Result.Outcome.Objective);
            md.AppendLine(Inv($"Improved NGO / PSO revenue: {ngoMean / psoMean:0.000} here, {t6[0].RevenueYuan / t6[2].RevenueYuan:0.000} in the paper."));
        }
        return md.ToString();
    }

    /// <summary>Tables 2–4: sellers' revenue per hour and class, ours (the median NGO run, and the exact reference) beside the paper.</summary>
    public static string Tables2To4Markdown(ScheduleScenarioResult result)
    {
        var market = result.Market;
        var sc = market.Scenario;
        SchedulePublishedResults.SellerRevenueByScenario.TryGetValue(sc.Name, out var published);
        var ngo = result.RunsOf("NGO") is { Count: > 0 } n ? ScheduleScenarioResult.Median(n) : null;
        var exact = result.Exact;
        var md = new StringBuilder();
        md.Append("| Hour |");
        foreach (var c in sc.Classes)
        {
            md.Append(Inv($" {c.Name} NGO | {c.Name} exact | {c.Name} paper |"));
        }
        md.AppendLine(" Sellers NGO | Sellers exact | Sellers paper |");
        md.Append("|---:|").Append(string.Concat(Enumerable.Repeat("---:|---:|---:|", sc.Classes.Count))).AppendLine("---:|---:|---:|");
        double[] Row(ScheduleRun? run, int t) => run?.Result.Outcome.SellerRevenueByPeriodAndClass[t] ?? new double[market.ClassCount];
        string Cell(double v) => v == 0 ? "0" : v.ToString("0.000", CultureInfo.InvariantCulture);
        var sums = new double[3 * market.ClassCount + 3];
        for (int t = 0; t < market.PeriodCount; t++)
        {
            var a = Row(ngo, t);
            var b = Row(exact, t);
            var p = published is not null && t < published.Length ? published[t] : new double[market.ClassCount];
            md.Append(Inv($"| {t + 1} |"));
            for (int k = 0; k < market.ClassCount; k++)
            {
                double pk = k < p.Length ? p[k] : 0;
                md.Append($" {Cell(a[k])} | {Cell(b[k])} | {Cell(pk)} |");
                sums[3 * k] += a[k];
                sums[3 * k + 1] += b[k];
                sums[3 * k + 2] += pk;
            }
            md.AppendLine($" {Cell(a.Sum())} | {Cell(b.Sum())} | {Cell(p.Sum())} |");
            sums[^3] += a.Sum();
            sums[^2] += b.Sum();
            sums[^1] += p.Sum();
        }
        md.Append("| **day** |").Append(string.Join("", sums.Select(v => $" **{v.ToString("0.0", CultureInfo.InvariantCulture)}** |"))).AppendLine();
        md.AppendLine();
        md.AppendLine(Inv($"NGO column: the run with the median revenue (seed {ngo?.Seed.ToString() ?? "–"}); its prices are the ones the entropy ranking chose. Exact column: the LP optimum, prices by eqs. (8)–(9) with expectedProfitShare {sc.SellerPricing.ExpectedProfitShare}."));
        return md.ToString();
    }

    /// <summary>Table 5: average cost of electricity to the buyers, with and without the peer-to-peer market.</summary>
    public static string Table5Markdown(ScheduleScenarioResult result)
    {
        var (without, with) = SchedulePublishedResults.Table5AverageCost;
        var md = new StringBuilder();
        md.AppendLine("| Average cost of electricity [Yuan/kWh] | No blockchain (grid only) | Using blockchain (this market) |");
        md.AppendLine("|---|---:|---:|");
        md.AppendLine(Inv($"| Energies 2023, Table 5 | {without:0.00} | {with:0.00} |"));
        foreach (var (solver, runs) in result.Solvers)
        {
            var o = ScheduleScenarioResult.Median(runs).Result.Outcome;
            md.AppendLine(Inv($"| ours, {solver} | {o.GridOnlyCostPerKwh:0.000} | {o.AverageCostPerKwh:0.000} |"));
        }
        md.AppendLine();
        md.AppendLine("Ours: the buyers' cost C_b over their charging need (own EV and stored energy cost 0 here), against the same need bought from the grid at its time-of-use price. The paper's 1.3 comes from the grid's sales platform and third-party charging stations, which include service charges this model does not have.");
        return md.ToString();
    }

    /// <summary>Every stakeholder's money (eqs. 10–29) for each solver's median run.</summary>
    public static string StakeholdersMarkdown(ScheduleScenarioResult result)
    {
        var md = new StringBuilder();
        md.AppendLine("| Solver (median run) | Revenue | Sellers R_s | Buyers' cost C_b | Buyers' indirect income R_b | Platform | Grid | Company | Storage rent | Storage revenue R_ES | P2P [kWh] | Price satisfaction | Preference satisfaction |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (solver, runs) in result.Solvers)
        {
            var o = ScheduleScenarioResult.Median(runs).Result.Outcome;
            md.AppendLine(Inv($"| {solver} | {o.Objective:0.00} | {o.SellerRevenue:0.00} | {o.BuyerCost:0.00} | {o.BuyerIndirectIncome:0.00} | {o.PlatformRevenue:0.00} | {o.GridRevenue:0.00} | {o.CompanyRevenue:0.00} | {o.StorageRent:0.00} | {o.StorageRevenue:0.00} | {o.PeerTradeKwh:0.0} | {o.PriceSatisfaction:0.000} | {o.PreferenceSatisfaction:0.000} |"));
        }
        return md.ToString();
    }

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
