using System.Globalization;
using Gateway.Runtime.Journal;
using Gateway.Rigs;
using Gateway.Runtime.Status;
using Gateway.Runtime.Worker;
using Gateway.LedgerClient.Outbox;
using Spectre.Console;

namespace Gateway.Host.Cli;

/// <summary>What <c>gateway run</c> shows while it runs: the devices found, one line per round, and the final summary.</summary>
internal sealed class RunProgress(RigDefinition rig, GatewayRuntime runtime, IAnsiConsole console)
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public void Header(int? rounds)
    {
        console.Write(new Rule($"[bold]{Markup.Escape(rig.SiteId)}[/]: {rig.Devices.Count} devices, {rig.Feeder.Lines.Count} feeder lines, " +
                               $"{rig.Market.Interval.TotalMinutes:0}-min rounds{(rounds is { } n ? $" × {n}" : "")}, SMES {(rig.Market.SmesEnabled ? "on" : "off")}, ledger {rig.Ledger.Kind}").LeftJustified());
    }

    public void Devices()
    {
        var table = new Table().Border(TableBorder.Simple).Title("devices");
        foreach (var c in new[] { "device", "kind", "node", "link", "power kW", "SoC %", "note" }) table.AddColumn(c);
        foreach (var d in runtime.DeviceHealth())
        {
            var colour = d.State switch { DeviceLinkState.Healthy => "green", DeviceLinkState.Degraded => "yellow", DeviceLinkState.Isolated => "red", _ => "grey" };
            table.AddRow(Markup.Escape(d.DeviceId), d.Kind, rig.Devices.First(x => x.Id == d.DeviceId).NodeId, $"[{colour}]{d.State}[/]",
                d.Measurements.TryGetValue("PowerKw", out var p) ? p.ToString("0.00", Inv) : "",
                d.Measurements.TryGetValue("SocPercent", out var soc) ? soc.ToString("0", Inv) : "",
                Markup.Escape(d.LastError ?? ""));
        }
        console.Write(table);
        console.MarkupLine("[bold]round            trades  failed  via SMES  traded kWh  SMES kWh  avg price  success  renewable  welfare  setpoints[/]");
    }

    public void Round(RoundOutcome o, bool resumed)
    {
        var s = o.Summary;
        var executed = s.Trades.Count(t => t.Outcome == "executed");
        var failed = s.Trades.Count(t => t.Outcome != "executed");
        var viaSmes = s.Trades.Count(t => t.Outcome == "smes");
        var traded = o.Settlements.Sum(x => (double)x.EnergyKwh);
        var price = o.Decision.Trades.Count == 0 ? double.NaN : o.Decision.Trades.Average(t => t.PricePerKwh);
        var time = s.IntervalStartUtc.UtcDateTime.ToString("MM-dd HH:mm", Inv);
        var missed = s.SetpointsMissed > 0 ? $"[red]{s.SetpointsMissed} missed[/]" : "";
        if (o.Parked)
        {
            console.MarkupLine($"{time}{(resumed ? "*" : " ")}      [yellow]parked ({s.State.ToString().ToLowerInvariant()}): {Markup.Escape(s.Note ?? "")}[/]");
            return;
        }
        if (o.DispatchedNothing) missed = $"[red]dispatched nothing: {Markup.Escape(s.Note ?? "no setpoint confirmed")}[/]";
        console.MarkupLine(string.Create(Inv,
            $"{time}{(resumed ? "*" : " ")}      {executed,6}  {failed,6}  {viaSmes,8}  {traded,10:0.00}  {s.SmesEnergyKwh,8:0.00}  {(double.IsNaN(price) ? "     -" : price.ToString("0.000", Inv)),9}  {RunVerb.Pct(s.TransactionSuccessRate),7}  {RunVerb.Pct(s.RenewableConsumptionRate),9}  {s.WelfareCurrency,7:0.00}  {s.SetpointsConfirmed} ok {missed}"));
    }

    /// <summary>A row for an interval that was never traded.</summary>
    public void Skipped(RoundSummary row) =>
        console.MarkupLine($"{row.IntervalStartUtc.UtcDateTime.ToString("MM-dd HH:mm", Inv)}       [yellow]skipped: {Markup.Escape(row.Note ?? "")}[/]");

    /// <summary>A row for a round that ended in an error.</summary>
    public void Failed(string roundId, DateTimeOffset start, string error) =>
        console.MarkupLine($"{start.UtcDateTime.ToString("MM-dd HH:mm", Inv)}       [red]failed: {Markup.Escape(error)}[/]");

    public void Summary(RunReport.RunRecord record, OutboxBacklog backlog, RunReport.Written report)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("[bold]summary[/]");
        table.AddColumn("measure");
        table.AddColumn(new TableColumn("value").RightAligned());
        var k = RunReport.Totals(record.Closed);
        table.AddRow("rounds traded / skipped / failed / parked", $"{record.Traded} / {record.Skipped.Count} / {record.FailedCount} / {record.Parked}");
        table.AddRow("trades matched / executed / failed", $"{k.Matched} / {k.Executed} / {k.Failed}");
        table.AddRow("failed trades served through the SMES", k.ViaSmes.ToString(Inv));
        table.AddRow("energy settled, kWh", k.SettledKwh.ToString("0.00", Inv));
        table.AddRow("transaction success rate (energy-weighted)", RunVerb.Pct(k.SuccessRate));
        table.AddRow("renewable consumption rate", RunVerb.Pct(k.RenewableRate));
        table.AddRow($"welfare, {rig.Market.Currency}", k.Welfare.ToString("0.00", Inv));
        table.AddRow("setpoints confirmed / missed", $"{k.SetpointsConfirmed} / {k.SetpointsMissed}");
        table.AddRow("settlements on the ledger / pending / dead-lettered", $"{backlog.CommittedCount ?? 0} / {backlog.PendingCount} / {backlog.DeadLetterCount}");
        console.Write(table);
        console.MarkupLine($"report: {Markup.Escape(report.SummaryPath)}");
        foreach (var f in report.Figures) console.MarkupLine($"plot:   {Markup.Escape(f)}");
    }
}
