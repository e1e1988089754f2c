using System.Globalization;
using System.Text;
using Gateway.Runtime.Journal;
using Gateway.Reporting;
using Gateway.Rigs;
using Gateway.Runtime.Status;
using Gateway.Runtime.Worker;
using Gateway.LedgerClient.Outbox;
using Gateway.Market.Decision;
using Gateway.Market.Model;

namespace Gateway.Host.Cli;

/// <summary>The files a run leaves behind: rounds as CSV, a markdown summary and plots (SVG, and PNG when rsvg-convert is installed).</summary>
internal static class RunReport
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    internal sealed record Written(string SummaryPath, string CsvPath, IReadOnlyList<string> Figures);

    /// <summary>Everything a run went through: rounds (traded or parked), intervals skipped, rounds that failed with an error.</summary>
    internal sealed class RunRecord
    {
        /// <summary>The rounds traded or parked, as numbers (<see cref="RunRound"/>: a run may last weeks).</summary>
        public List<RunRound> Rounds { get; } = new();

        public List<RoundSummary> Skipped { get; } = new();

        public List<(string RoundId, DateTimeOffset Start, string Error)> Failed { get; } = new();

        public void Add(RoundOutcome outcome) => Rounds.Add(RunRound.Of(outcome));

        /// <summary>Rounds closed that dispatched what they decided (at least one setpoint confirmed, or none planned).</summary>
        public int Traded => Rounds.Count(o => !o.Parked && !o.DispatchedNothing);

        /// <summary>Rounds that ended in an error or dispatched nothing they planned (no acknowledgement, every device missed).</summary>
        public int FailedCount => Failed.Count + Rounds.Count(o => o.DispatchedNothing);

        /// <summary>Rounds a stop left open (journaled; the next run resumes them).</summary>
        public int Parked => Rounds.Count(o => o.Parked);

        /// <summary>Rounds started (what --rounds counts): traded, failed and parked.</summary>
        public int Attempted => Rounds.Count + Failed.Count;

        /// <summary>Closed rounds, for KPIs and settlements.</summary>
        public IReadOnlyList<RunRound> Closed => Rounds.Where(o => !o.Parked).ToList();
    }

    internal sealed record RunTotals(int Rounds, int Matched, int Executed, int Failed, int ViaSmes, double SettledKwh, double SuccessRate, double RenewableRate,
        double Welfare, int SetpointsConfirmed, int SetpointsMissed);

    /// <summary>Totals over the rounds; rates are energy-weighted over the whole run, like the paper's averages.</summary>
    public static RunTotals Totals(IReadOnlyList<RunRound> rounds)
    {
        double matchedKwh = 0, servedKwh = 0, offeredPv = 0, consumedPv = 0;
        foreach (var o in rounds)
        {
            matchedKwh += o.MatchedKwh;
            servedKwh += o.Kpis.TransactionSuccessRate * o.MatchedKwh;
            offeredPv += o.Kpis.RenewableOfferedKwh;
            consumedPv += o.Kpis.RenewableConsumedKwh;
        }
        return new RunTotals(rounds.Count,
            rounds.Sum(o => o.Kpis.MatchedTrades),
            rounds.Sum(o => o.Kpis.ExecutedTrades),
            rounds.Sum(o => o.Kpis.FailedTrades),
            rounds.Sum(o => o.ViaSmes),
            rounds.Sum(o => o.SettledKwh),
            matchedKwh > 0 ? servedKwh / matchedKwh : 0,
            offeredPv > 0 ? consumedPv / offeredPv : 0,
            rounds.Sum(o => o.Kpis.TotalWelfare),
            rounds.Sum(o => o.SetpointsConfirmed),
            rounds.Sum(o => o.SetpointsMissed));
    }

    public static async Task<Written> WriteAsync(RigDefinition rig, RunRecord record, OutboxBacklog backlog, string directory, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        var outcomes = record.Closed;
        var csv = new StringBuilder("round,interval_start_utc,status,buyers,sellers,matched,executed,failed,via_smes,settled_kwh,smes_kwh,grid_kwh,success_rate,renewable_rate,welfare,setpoints_confirmed,setpoints_missed,note\n");
        var rows = new List<(DateTimeOffset Start, string Line)>();
        foreach (var o in record.Rounds)
        {
            var s = o.Summary;
            var status = o.Parked ? "parked" : o.DispatchedNothing ? "failed" : "traded";
            rows.Add((s.IntervalStartUtc, string.Create(Inv, $"{o.RoundId},{s.IntervalStartUtc.UtcDateTime:O},{status},{s.Buyers},{s.Sellers},{o.Kpis.MatchedTrades},{o.Kpis.ExecutedTrades},{o.Kpis.FailedTrades},{o.ViaSmes},{o.SettledKwh:0.####},{s.SmesEnergyKwh:0.####},{s.GridEnergyKwh:0.####},{s.TransactionSuccessRate:0.####},{s.RenewableConsumptionRate:0.####},{s.WelfareCurrency:0.####},{s.SetpointsConfirmed},{s.SetpointsMissed},{Csv(s.Note)}")));
        }
        foreach (var s in record.Skipped)
            rows.Add((s.IntervalStartUtc, string.Create(Inv, $"{s.RoundId},{s.IntervalStartUtc.UtcDateTime:O},skipped,,,,,,,,,,,,,,,{Csv("skipped: " + s.Note)}")));
        foreach (var (id, start, error) in record.Failed)
            rows.Add((start, string.Create(Inv, $"{id},{start.UtcDateTime:O},failed,,,,,,,,,,,,,,,{Csv("failed: " + error)}")));
        foreach (var row in rows.OrderBy(r => r.Start)) csv.AppendLine(row.Line);
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
            kpi.Add(new ChartSeries("transaction success rate", outcomes.Select(o => o.TradeCount == 0 ? double.NaN : o.Summary.TransactionSuccessRate * 100).ToList()));
            kpi.Add(new ChartSeries("renewable consumption rate", outcomes.Select(o => o.Kpis.RenewableOfferedKwh <= 0 ? double.NaN : o.Summary.RenewableConsumptionRate * 100).ToList()));
            figures.AddRange(await SaveAsync(kpi, Path.Combine(directory, "kpis"), cancellationToken));

            var energy = new SvgChart($"{rig.SiteId}: energy per round", labels)
            {
                XAxisLabel = "interval start (UTC)", YAxisLabel = "kWh", LabelEvery = Math.Max(1, labels.Count / 12),
            };
            energy.Add(new ChartSeries("P2P executed", outcomes.Select(o => o.ExecutedKwh).ToList(), ChartSeriesKind.StackedBar));
            energy.Add(new ChartSeries("SMES fallback", outcomes.Select(o => o.SmesActionKwh).ToList(), ChartSeriesKind.StackedBar));
            energy.Add(new ChartSeries("failed, not served", outcomes.Select(o => Math.Max(0, o.NotExecutedKwh - o.SmesActionKwh / 2)).ToList(), ChartSeriesKind.StackedBar));
            energy.Add(new ChartSeries("settled (metered)", outcomes.Select(o => o.SettledKwh).ToList(), ChartSeriesKind.Line, Dashed: true));
            figures.AddRange(await SaveAsync(energy, Path.Combine(directory, "energy"), cancellationToken));
        }

        var t = Totals(outcomes);
        var md = new StringBuilder();
        md.AppendLine($"# Run of `{rig.SiteId}` ({Path.GetFileName(rig.SourceFile)})");
        md.AppendLine();
        md.AppendLine($"{t.Rounds} rounds of {rig.Market.Interval.TotalMinutes:0} min closed, SMES {(rig.Market.SmesEnabled ? "on" : "off")}, ledger {rig.Ledger.Kind}.");
        md.AppendLine();
        md.AppendLine("| measure | value |");
        md.AppendLine("|---|---:|");
        md.AppendLine($"| rounds traded / skipped / failed / parked | {record.Traded} / {record.Skipped.Count} / {record.FailedCount} / {record.Parked} |");
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
        var notes = record.Skipped.Select(x => (x.IntervalStartUtc, $"{x.RoundId}: skipped: {x.Note}"))
            .Concat(record.Failed.Select(f => (f.Start, $"{f.RoundId}: failed: {f.Error}")))
            .Concat(record.Rounds.Where(o => o.Parked || o.DispatchedNothing).Select(o => (o.Summary.IntervalStartUtc, $"{o.RoundId}: {(o.Parked ? "parked" : "failed")}: {o.Summary.Note ?? "no setpoint confirmed"}")))
            .OrderBy(x => x.Item1).ToList();
        if (notes.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("## Rounds not traded");
            md.AppendLine();
            foreach (var (_, line) in notes) md.AppendLine("- " + line);
        }
        var summaryPath = Path.Combine(directory, "summary.md");
        await File.WriteAllTextAsync(summaryPath, md.ToString(), cancellationToken);
        return new Written(summaryPath, csvPath, figures);
    }

    private static string Csv(string? text) => text is null ? "" : "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

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
