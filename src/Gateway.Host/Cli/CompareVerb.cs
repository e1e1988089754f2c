using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Gateway.Reporting;
using Spectre.Console;

namespace Gateway.Host.Cli;

/// <summary>
/// <c>gateway compare --with DIR… --without DIR…</c>: the paper's Fig. 4 — transaction success rate and renewable
/// consumption rate with and without the SMES — from <c>gateway run</c> reports, one pair of runs per simulated day, as mean
/// ± standard deviation over the days next to the published figures (Li et al. 2021: 54.5 % → 74.5 % and 64.6 % → 78.3 %).
/// <c>gateway compare --sweep FILE.csv --figure F.svg</c> draws a congestion sweep (rows written by scripts/li2021.sh).
/// </summary>
internal static class CompareVerb
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The four numbers of the paper's Fig. 4, percent.</summary>
    internal static readonly (double SuccessWithout, double SuccessWith, double RenewableWithout, double RenewableWith) Paper = (54.5, 74.5, 64.6, 78.3);

    public static Command Create()
    {
        var with = new Option<DirectoryInfo[]>("--with") { Description = "Report folder(s) of runs with the SMES (each holds rounds.csv), one per simulated day", AllowMultipleArgumentsPerToken = true };
        var without = new Option<DirectoryInfo[]>("--without") { Description = "Report folder(s) of the same days without the SMES, in the same order", AllowMultipleArgumentsPerToken = true };
        var figure = new Option<FileInfo?>("--figure") { Description = "Write the chart here (default: fig4-comparison.svg in the first --with folder)" };
        var sweep = new Option<FileInfo?>("--sweep") { Description = "Draw a congestion sweep from this CSV (level,…; see scripts/li2021.sh) instead" };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON (per day and mean ± sd)" };
        var command = new Command("compare", "Fig. 4 of Li et al. (2021): KPIs with and without the SMES over one or more simulated days, next to the published figures.");
        foreach (var o in new Option[] { with, without, figure, sweep, json }) command.Options.Add(o);
        command.SetAction(async (ParseResult r, CancellationToken ct) => r.GetValue(sweep) is { } csv
            ? await SweepAsync(csv, r.GetValue(figure), ct)
            : await RunAsync(r.GetValue(with) ?? [], r.GetValue(without) ?? [], r.GetValue(figure), r.GetValue(json), ct));
        return command;
    }

    /// <summary>One day's Fig. 4 numbers: mean per-round rates, as the paper averages them.</summary>
    internal sealed record DayKpis(string Run, double Success, double Renewable, int Rounds);

    internal static async Task<int> RunAsync(DirectoryInfo[] with, DirectoryInfo[] without, FileInfo? figure, bool json, CancellationToken cancellationToken)
    {
        if (with.Length == 0 || with.Length != without.Length)
        {
            await Console.Error.WriteLineAsync($"compare: give as many --without folders as --with folders, at least one each (got {with.Length} and {without.Length})");
            return ExitCodes.BadInput;
        }

        List<DayKpis> a = [], b = [];
        try
        {
            foreach (var d in with) a.Add(await ReadAsync(d, cancellationToken));
            foreach (var d in without) b.Add(await ReadAsync(d, cancellationToken));
        }
        catch (Exception e) when (e is IOException or FormatException or IndexOutOfRangeException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync("compare: " + e.Message);
            return ExitCodes.BadInput;
        }

        var s = new Summary(Stat(b, d => d.Success), Stat(a, d => d.Success), Stat(b, d => d.Renewable), Stat(a, d => d.Renewable), a.Count);
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                days = a.Count,
                successWithout = s.SuccessWithout, successWith = s.SuccessWith, renewableWithout = s.RenewableWithout, renewableWith = s.RenewableWith,
                paper = new { successWithout = Paper.SuccessWithout / 100, successWith = Paper.SuccessWith / 100, renewableWithout = Paper.RenewableWithout / 100, renewableWith = Paper.RenewableWith / 100 },
                perDay = a.Zip(b, (x, y) => new { with = x.Run, without = y.Run, successWith = x.Success, successWithout = y.Success, renewableWith = x.Renewable, renewableWithout = y.Renewable }),
            }, new JsonSerializerOptions { WriteIndented = true }));
        }
        else
        {
            var table = new Table().Border(TableBorder.Rounded).Title($"[bold]Fig. 4: influence of the SMES[/] (mean over rounds with trades / with PV on offer; {Days(a.Count)})");
            foreach (var c in new[] { "KPI", "without SMES", "with SMES", "paper without", "paper with" }) table.AddColumn(new TableColumn(c).RightAligned());
            table.AddRow("transaction success rate", Pct(s.SuccessWithout), Pct(s.SuccessWith), Pct1(Paper.SuccessWithout), Pct1(Paper.SuccessWith));
            table.AddRow("renewable consumption rate", Pct(s.RenewableWithout), Pct(s.RenewableWith), Pct1(Paper.RenewableWithout), Pct1(Paper.RenewableWith));
            AnsiConsole.Write(table);
            if (a.Count > 1)
            {
                var days = new Table().Border(TableBorder.Simple);
                foreach (var c in new[] { "day", "success without", "success with", "renewable without", "renewable with" }) days.AddColumn(new TableColumn(c).RightAligned());
                for (var i = 0; i < a.Count; i++)
                    days.AddRow(Markup.Escape(a[i].Run), Pct1(b[i].Success * 100), Pct1(a[i].Success * 100), Pct1(b[i].Renewable * 100), Pct1(a[i].Renewable * 100));
                AnsiConsole.Write(days);
            }
        }

        var chart = new SvgChart($"Influence of the SMES (cf. Li et al. 2021, Fig. 4; {Days(a.Count)})",
            ["success, without SMES", "success, with SMES", "renewable, without SMES", "renewable, with SMES"]) { YAxisLabel = "%" };
        chart.Add(new ChartSeries(a.Count > 1 ? "this study (mean over days)" : "this run",
            [s.SuccessWithout.Mean * 100, s.SuccessWith.Mean * 100, s.RenewableWithout.Mean * 100, s.RenewableWith.Mean * 100], ChartSeriesKind.StackedBar));
        chart.Add(new ChartSeries("published (Li et al. 2021)", [Paper.SuccessWithout, Paper.SuccessWith, Paper.RenewableWithout, Paper.RenewableWith], ChartSeriesKind.Line, Dashed: true));
        var svg = figure?.FullName ?? Path.Combine(with[0].FullName, "fig4-comparison.svg");
        try
        {
            await File.WriteAllTextAsync(svg, chart.ToSvg(), cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"compare: cannot write --figure {svg}: {e.Message}");
            return ExitCodes.BadInput;
        }

        if (!json) AnsiConsole.MarkupLine($"plot: {Markup.Escape(svg)}");
        return ExitCodes.Ok;
    }

    /// <summary>Draws the congestion sweep: success and renewable consumption, with and without the SMES, per level.</summary>
    internal static async Task<int> SweepAsync(FileInfo csv, FileInfo? figure, CancellationToken cancellationToken)
    {
        if (figure is null)
        {
            await Console.Error.WriteLineAsync("compare: --sweep needs --figure FILE.svg");
            return ExitCodes.BadInput;
        }

        List<string[]> rows;
        int[] cols;
        try
        {
            var lines = (await File.ReadAllLinesAsync(csv.FullName, cancellationToken)).Where(l => l.Length > 0).ToList();
            var header = lines[0].Split(',');
            string[] names = ["level", "success_without", "success_with", "renewable_without", "renewable_with"];
            cols = names.Select(n => Array.IndexOf(header, n) is var i and >= 0 ? i : throw new FormatException($"{csv.FullName} has no column '{n}'")).ToArray();
            rows = lines.Skip(1).Select(l => l.Split(',')).ToList();
            if (rows.Count == 0) throw new FormatException($"{csv.FullName} holds no levels");
            foreach (var r in rows) foreach (var c in cols.Skip(1)) _ = double.Parse(r[c], Inv);
        }
        catch (Exception e) when (e is IOException or FormatException or IndexOutOfRangeException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync("compare: " + e.Message);
            return ExitCodes.BadInput;
        }

        double[] Col(int k) => rows.Select(r => double.Parse(r[cols[k]], Inv) * 100).ToArray();
        var levels = rows.Select(r => r[cols[0]]).ToList();
        var chart = new SvgChart("Fig. 4 across feeder congestion: the SMES's effect (mean over simulated days)", levels)
        {
            YAxisLabel = "%", XAxisLabel = "limit of the congested line (no limit → heavy congestion)", Height = 520,
        };
        chart.Add(new ChartSeries("success, without SMES", Col(1), Color: "#4e79a7"));
        chart.Add(new ChartSeries("success, with SMES", Col(2), Color: "#f28e2b"));
        chart.Add(new ChartSeries("renewable, without SMES", Col(3), Color: "#59a14f"));
        chart.Add(new ChartSeries("renewable, with SMES", Col(4), Color: "#e15759"));
        chart.Add(new ChartSeries("Li et al.: success 54.5 → 74.5 %", levels.Select(_ => Paper.SuccessWithout).ToArray(), Color: "#4e79a7", Dashed: true));
        chart.Add(new ChartSeries("(with SMES)", levels.Select(_ => Paper.SuccessWith).ToArray(), Color: "#f28e2b", Dashed: true));
        chart.Add(new ChartSeries("Li et al.: renewable 64.6 → 78.3 %", levels.Select(_ => Paper.RenewableWithout).ToArray(), Color: "#59a14f", Dashed: true));
        chart.Add(new ChartSeries("(with SMES) ", levels.Select(_ => Paper.RenewableWith).ToArray(), Color: "#e15759", Dashed: true));
        try
        {
            await File.WriteAllTextAsync(figure.FullName, chart.ToSvg(), cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"compare: cannot write --figure {figure.FullName}: {e.Message}");
            return ExitCodes.BadInput;
        }

        Console.WriteLine($"plot: {figure.FullName}");
        return ExitCodes.Ok;
    }

    /// <summary>Mean per-round rates, as the paper averages them: success over rounds that matched trades, renewable over rounds with PV on offer.</summary>
    internal static async Task<DayKpis> ReadAsync(DirectoryInfo dir, CancellationToken cancellationToken)
    {
        var path = Path.Combine(dir.FullName, "rounds.csv");
        var lines = await File.ReadAllLinesAsync(path, cancellationToken);
        if (lines.Length < 2) throw new FormatException($"{path} holds no rounds");
        var header = lines[0].Split(',');
        int Col(string name) => Array.IndexOf(header, name) is var i and >= 0 ? i : throw new FormatException($"{path} has no column '{name}'");
        int matched = Col("matched"), success = Col("success_rate"), renewable = Col("renewable_rate"), sellers = Col("sellers");
        var rows = lines.Skip(1).Where(l => l.Length > 0).Select(l => l.Split(',')).ToList();
        double Mean(IEnumerable<string[]> rs, int col) => rs.Select(r => double.Parse(r[col], Inv)).DefaultIfEmpty(0).Average();
        // scripts/li2021.sh keeps each day as DAY/with and DAY/without: name the day, not the variant.
        var name = dir.Name is "with" or "without" && dir.Parent is { } parent ? parent.Name : dir.Name;
        return new DayKpis(name, Mean(rows.Where(r => int.Parse(r[matched], Inv) > 0), success),
            Mean(rows.Where(r => double.Parse(r[renewable], Inv) > 0 || int.Parse(r[sellers], Inv) > 0), renewable), rows.Count);
    }

    internal readonly record struct MeanSd(double Mean, double Sd);

    private sealed record Summary(MeanSd SuccessWithout, MeanSd SuccessWith, MeanSd RenewableWithout, MeanSd RenewableWith, int Days);

    private static MeanSd Stat(List<DayKpis> days, Func<DayKpis, double> value)
    {
        var v = days.Select(value).ToArray();
        var mean = v.Average();
        var sd = v.Length > 1 ? Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1)) : 0;
        return new MeanSd(mean, sd);
    }

    private static string Days(int n) => n == 1 ? "one simulated day" : $"{n} simulated days";

    private static string Pct(MeanSd v) => v.Sd > 0 ? string.Create(Inv, $"{v.Mean * 100:0.0} ± {v.Sd * 100:0.0} %") : Pct1(v.Mean * 100);

    private static string Pct1(double percent) => percent.ToString("0.0", Inv) + " %";
}
