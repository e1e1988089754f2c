using System.Globalization;
using System.Text;
using Gateway.Host.Journal;
using Gateway.Host.Reports;
using Gateway.Host.Rigs;
using Gateway.Host.Worker;
using Gateway.LedgerClient.Outbox;
using Gateway.Market.Decision;
using Gateway.Market.Model;

namespace Gateway.Host.Cli;

/// <summary>The files a run leaves behind: rounds as CSV, a markdown summary and plots (SVG, and PNG when rsvg-convert is installed).</summary>
internal static class RunReport
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    internal sealed record Written(string SummaryPath, string CsvPath, IReadOnlyList<string> Figures);

    internal sealed record RunTotals(int Rounds, int Matched, int Executed, int Failed, int ViaSmes, double SettledKwh, double SuccessRate, double RenewableRate,
        double Welfare, int SetpointsConfirmed, int SetpointsMissed);

    /// <summary>Totals over the rounds; rates are energy-weighted over the whole run, like the paper's averages.</summary>
    public static RunTotals Totals(IReadOnlyList<RoundOutcome> outcomes)
    {
        double matchedKwh = 0, servedKwh = 0, offeredPv = 0, consumedPv = 0;
        foreach (var o in outcomes)
        {
            var d = o.Decision;
            var m = d.Trades.Sum(t => t.EnergyKwh);
            matchedKwh += m;
            servedKwh += d.Kpis.TransactionSuccessRate * m;
            offeredPv += d.Kpis.RenewableOfferedKwh;
            consumedPv += d.Kpis.RenewableConsumedKwh;
        }
        return new RunTotals(outcomes.Count,
            outcomes.Sum(o => o.Decision.Kpis.MatchedTrades),
            outcomes.Sum(o => o.Decision.Kpis.ExecutedTrades),
            outcomes.Sum(o => o.Decision.Kpis.FailedTrades),
            outcomes.Sum(o => o.Summary.Trades.Count(t => t.Outcome == "smes")),
            outcomes.Sum(o => o.Settlements.Sum(s => (double)s.EnergyKwh)),
            matchedKwh > 0 ? servedKwh / matchedKwh : 0,
            offeredPv > 0 ? consumedPv / offeredPv : 0,
            outcomes.Sum(o => o.Decision.Kpis.TotalWelfare),
            outcomes.Sum(o => o.Setpoints.Count(s => s.Status == SetpointStatus.Confirmed)),
            outcomes.Sum(o => o.Setpoints.Count(s => s.Status is SetpointStatus.Missed or SetpointStatus.Skipped)));
    }

    public static async Task<Written> WriteAsync(RigDefinition rig, IReadOnlyList<RoundOutcome> outcomes, OutboxBacklog backlog, string directory, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        var csv = new StringBuilder("round,interval_start_utc,buyers,sellers,matched,executed,failed,via_smes,settled_kwh,smes_kwh,grid_kwh,success_rate,renewable_rate,welfare,setpoints_confirmed,setpoints_missed\n");
        foreach (var o in outcomes)
        {
            var s = o.Summary;
            csv.AppendLine(string.Create(Inv, $"{o.RoundId},{s.IntervalStartUtc.UtcDateTime:O},{s.Buyers},{s.Sellers},{o.Decision.Kpis.MatchedTrades},{o.Decision.Kpis.ExecutedTrades},{o.Decision.Kpis.FailedTrades},{s.Trades.Count(t => t.Outcome == "smes")},{o.Settlements.Sum(x => (double)x.EnergyKwh):0.####},{s.SmesEnergyKwh:0.####},{s.GridEnergyKwh:0.####},{s.TransactionSuccessRate:0.####},{s.RenewableConsumptionRate:0.####},{s.WelfareCurrency:0.####},{s.SetpointsConfirmed},{s.SetpointsMissed}"));
        }
        var csvPath = Path.Combine(directory, "rounds.csv");
        await File.WriteAllTextAsync(csvPath, csv.ToString(), cancellationToken);

        var labels = outcomes.Select(o => o.Summary.IntervalStartUtc.UtcDateTime.ToString("HH:mm", Inv)).ToList();
        var figures = new List<string>();
        if (outcomes.Count > 0)
        {
            var kpi = new SvgChart($"{rig.SiteId}: market KPIs per round (SMES {(rig.Market.SmesEnabled ? "on" : "off")})", labels)
            {
                XAxisLabel = "interval start (UTC)", YAxisLabel = "%", LabelEvery = Math.Max(1, labels.Count / 12),
            };
            kpi.Add(new ChartSeries("transaction success rate", outcomes.Select(o => o.Decision.Trades.Count == 0 ? double.NaN : o.Summary.TransactionSuccessRate * 100).ToList()));
            kpi.Add(new ChartSeries("renewable consumption rate", outcomes.Select(o => o.Decision.Kpis.RenewableOfferedKwh <= 0 ? double.NaN : o.Summary.RenewableConsumptionRate * 100).ToList()));
            figures.AddRange(await SaveAsync(kpi, Path.Combine(directory, "kpis"), cancellationToken));

            var energy = new SvgChart($"{rig.SiteId}: energy per round", labels)
            {
                XAxisLabel = "interval start (UTC)", YAxisLabel = "kWh", LabelEvery = Math.Max(1, labels.Count / 12),
            };
            energy.Add(new ChartSeries("P2P executed", outcomes.Select(o => o.Decision.Trades.Where(t => t.Status == TradeStatus.Executed).Sum(t => t.EnergyKwh)).ToList(), ChartSeriesKind.StackedBar));
            energy.Add(new ChartSeries("SMES fallback", outcomes.Select(o => o.Decision.SmesActions.Sum(a => a.EnergyKwh)).ToList(), ChartSeriesKind.StackedBar));
            energy.Add(new ChartSeries("failed, not served", outcomes.Select(o => Math.Max(0, o.Decision.Trades.Where(t => t.Status != TradeStatus.Executed).Sum(t => t.EnergyKwh) - o.Decision.SmesActions.Sum(a => a.EnergyKwh) / 2)).ToList(), ChartSeriesKind.StackedBar));
            energy.Add(new ChartSeries("settled (metered)", outcomes.Select(o => o.Settlements.Sum(s => (double)s.EnergyKwh)).ToList(), ChartSeriesKind.Line, Dashed: true));
            figures.AddRange(await SaveAsync(energy, Path.Combine(directory, "energy"), cancellationToken));
        }

        var t = Totals(outcomes);
        var md = new StringBuilder();
        md.AppendLine($"# Run of `{rig.SiteId}` ({Path.GetFileName(rig.SourceFile)})");
        md.AppendLine();
        md.AppendLine($"{t.Rounds} rounds of {rig.Market.Interval.TotalMinutes:0} min, SMES {(rig.Market.SmesEnabled ? "on" : "off")}, ledger {rig.Ledger.Kind}.");
        md.AppendLine();
        md.AppendLine("| measure | value |");
        md.AppendLine("|---|---:|");
        md.AppendLine($"| trades matched / executed / failed | {t.Matched} / {t.Executed} / {t.Failed} |");
        md.AppendLine($"| failed trades served through the SMES | {t.ViaSmes} |");
        md.AppendLine(string.Create(Inv, $"| energy settled (metered), kWh | {t.SettledKwh:0.00} |"));
        md.AppendLine($"| transaction success rate (energy-weighted) | {RunVerb.Pct(t.SuccessRate)} |");
        md.AppendLine($"| renewable consumption rate | {RunVerb.Pct(t.RenewableRate)} |");
        md.AppendLine(string.Create(Inv, $"| welfare, {rig.Market.Currency} | {t.Welfare:0.00} |"));
        md.AppendLine($"| setpoints confirmed / missed | {t.SetpointsConfirmed} / {t.SetpointsMissed} |");
        md.AppendLine($"| settlements committed / pending / dead-lettered | {backlog.CommittedCount ?? 0} / {backlog.PendingCount} / {backlog.DeadLetterCount} |");
        md.AppendLine();
        foreach (var f in figures.Where(f => f.EndsWith(".svg", StringComparison.Ordinal))) md.AppendLine($"![{Path.GetFileNameWithoutExtension(f)}]({Path.GetFileName(f)})");
        var summaryPath = Path.Combine(directory, "summary.md");
        await File.WriteAllTextAsync(summaryPath, md.ToString(), cancellationToken);
        return new Written(summaryPath, csvPath, figures);
    }

    private static async Task<IReadOnlyList<string>> SaveAsync(SvgChart chart, string pathWithoutExtension, CancellationToken cancellationToken)
    {
        var svg = pathWithoutExtension + ".svg";
        await File.WriteAllTextAsync(svg, chart.ToSvg(), cancellationToken);
        var files = new List<string> { svg };
        if (PngConverter.FindTool() is { } tool)
        {
            var png = pathWithoutExtension + ".png";
            var (ok, _) = await PngConverter.ConvertAsync(tool, svg, png, cancellationToken);
            if (ok) files.Add(png);
        }
        return files;
    }
}
