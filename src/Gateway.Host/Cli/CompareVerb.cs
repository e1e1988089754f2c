using System.CommandLine;
using System.Globalization;
using Gateway.Host.Reports;
using Spectre.Console;

namespace Gateway.Host.Cli;

/// <summary>
/// <c>gateway compare --with DIR --without DIR</c>: the paper's Fig. 4 — transaction success
/// rate and renewable consumption rate with and without the SMES — from two <c>gateway run</c>
/// reports, next to the published figures (Li et al. 2021: 54.5 % → 74.5 % and 64.6 % → 78.3 %).
/// </summary>
internal static class CompareVerb
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static Command Create()
    {
        var with = new Option<DirectoryInfo>("--with") { Description = "Report folder of the run with the SMES (holds rounds.csv)", Required = true };
        var without = new Option<DirectoryInfo>("--without") { Description = "Report folder of the run without the SMES", Required = true };
        var command = new Command("compare", "Fig. 4 of Li et al. (2021): KPIs with and without the SMES, next to the published figures.");
        command.Options.Add(with);
        command.Options.Add(without);
        command.SetAction(async (ParseResult r, CancellationToken ct) => await RunAsync(r.GetValue(with)!, r.GetValue(without)!, ct));
        return command;
    }

    internal static async Task<int> RunAsync(DirectoryInfo with, DirectoryInfo without, CancellationToken cancellationToken)
    {
        (double Success, double Renewable, int Rounds) a, b;
        try
        {
            a = await ReadAsync(with, cancellationToken);
            b = await ReadAsync(without, cancellationToken);
        }
        catch (Exception e) when (e is IOException or FormatException or IndexOutOfRangeException)
        {
            Console.Error.WriteLine("compare: " + e.Message);
            return ExitCodes.BadInput;
        }
        var table = new Table().Border(TableBorder.Rounded).Title("[bold]Fig. 4: influence of the SMES[/] (mean over rounds with trades / with PV on offer)");
        foreach (var c in new[] { "KPI", "without SMES", "with SMES", "paper without", "paper with" }) table.AddColumn(new TableColumn(c).RightAligned());
        table.AddRow("transaction success rate", Pct(b.Success), Pct(a.Success), "54.5 %", "74.5 %");
        table.AddRow("renewable consumption rate", Pct(b.Renewable), Pct(a.Renewable), "64.6 %", "78.3 %");
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"rounds: {a.Rounds} with, {b.Rounds} without. The paper's network, EV travel data and prices are not published; " +
                               "the direction of the effect (the SMES turns failed trades into served ones and absorbs PV that congestion strands) is what carries over, not the exact figures.");

        var chart = new SvgChart("Influence of the SMES (cf. Li et al. 2021, Fig. 4)",
            ["success, without SMES", "success, with SMES", "renewable, without SMES", "renewable, with SMES"]) { YAxisLabel = "%" };
        chart.Add(new ChartSeries("this run", [b.Success * 100, a.Success * 100, b.Renewable * 100, a.Renewable * 100], ChartSeriesKind.StackedBar));
        chart.Add(new ChartSeries("published (Li et al. 2021)", [54.5, 74.5, 64.6, 78.3], ChartSeriesKind.Line, Dashed: true));
        var svg = Path.Combine(with.FullName, "fig4-comparison.svg");
        await File.WriteAllTextAsync(svg, chart.ToSvg(), cancellationToken);
        AnsiConsole.MarkupLine($"plot: {Markup.Escape(svg)}");
        return ExitCodes.Ok;
    }

    /// <summary>Mean per-round rates, as the paper averages them: success over rounds that matched trades, renewable over rounds with PV on offer.</summary>
    private static async Task<(double Success, double Renewable, int Rounds)> ReadAsync(DirectoryInfo dir, CancellationToken cancellationToken)
    {
        var path = Path.Combine(dir.FullName, "rounds.csv");
        var lines = await File.ReadAllLinesAsync(path, cancellationToken);
        if (lines.Length < 2) throw new FormatException($"{path} holds no rounds");
        var header = lines[0].Split(',');
        int Col(string name) => Array.IndexOf(header, name) is var i and >= 0 ? i : throw new FormatException($"{path} has no column '{name}'");
        int matched = Col("matched"), success = Col("success_rate"), renewable = Col("renewable_rate"), sellers = Col("sellers");
        var rows = lines.Skip(1).Where(l => l.Length > 0).Select(l => l.Split(',')).ToList();
        double Mean(IEnumerable<string[]> rs, int col) => rs.Select(r => double.Parse(r[col], Inv)).DefaultIfEmpty(0).Average();
        return (Mean(rows.Where(r => int.Parse(r[matched], Inv) > 0), success), Mean(rows.Where(r => double.Parse(r[renewable], Inv) > 0 || int.Parse(r[sellers], Inv) > 0), renewable), rows.Count);
    }

    private static string Pct(double v) => (v * 100).ToString("0.0", Inv) + " %";
}
