using System.Globalization;
using System.Text;
using Gateway.Market.DayAhead;
using Gateway.Market.Solvers;
using Spectre.Console;

namespace Gateway.Host.Cli;

/// <summary>
/// <c>gateway schedule --all-scenarios --assumptions</c>: the assumption table. Each choice the paper leaves open is
/// switched alone, and the scenario re-solved by the exact reference (and by improved NGO over the seeds, where its
/// repair can honour the switch), so each row shows what that one assumption does to Table 6's revenue and to the
/// sellers' revenue Tables 2–4 sum up.
/// </summary>
internal sealed class ScheduleAssumptions(IAnsiConsole console)
{
    public async Task<int> RunAsync(IReadOnlyList<string> files, ScheduleOptions options, string commandLine, CancellationToken cancellationToken)
    {
        var scenarios = files.Select(f => DayAheadScenarioLoader.Load(f, File.ReadAllText)).ToList();
        var exact = new ExactDayAheadSolver(new OrToolsLinearSolver());
        var rows = new List<string[]>();
        var baseline = new List<(double Exact, double Sellers, double Ngo)>();
        foreach (var scenario in scenarios)
        {
            baseline.Add(Measure(scenario, exact, options, true, cancellationToken));
        }
        rows.Add(Row("(none)", "the scenarios as shipped", "", baseline, baseline, true));
        foreach (var s in AssumptionSwitch.All)
        {
            var measured = scenarios.Select(sc => Measure(s.Apply(sc), exact, options, s.MetaheuristicsApply, cancellationToken)).ToList();
            rows.Add(Row(s.Key, s.Assumption, s.Alternative, measured, baseline, s.MetaheuristicsApply));
            console.MarkupLine($"[grey]{Markup.Escape(s.Key)} done[/]");
        }

        var table = new Table().Title(Markup.Escape($"Assumption → effect on Table 6 (revenue, Yuan; exact optimum, and improved NGO mean over {options.Seeds} seeds); scenarios {string.Join(" / ", scenarios.Select(s => s.Name))}"));
        foreach (var c in Columns)
        {
            table.AddColumn(new TableColumn(Markup.Escape(c)));
        }
        foreach (var r in rows)
        {
            table.AddRow(r.Select(Markup.Escape).ToArray());
        }
        console.Write(table);

        var md = new StringBuilder();
        md.AppendLine("# Assumption → effect on Table 6");
        md.AppendLine();
        md.AppendLine($"Produced by `{commandLine}`. One assumption switched at a time; every other value as in hil-rigs/energies2023. Values per scenario (I / II / III); Δ against the scenarios as shipped.");
        md.AppendLine();
        md.AppendLine("| " + string.Join(" | ", Columns) + " |");
        md.AppendLine("|" + string.Concat(Enumerable.Repeat("---|", Columns.Length)));
        foreach (var r in rows)
        {
            md.AppendLine("| " + string.Join(" | ", r) + " |");
        }
        string dir = options.OutDir ?? Path.Combine("out", "schedule");
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, "assumptions.md");
        await File.WriteAllTextAsync(path, md.ToString(), cancellationToken).ConfigureAwait(false);
        console.MarkupLine($"[grey]wrote {Markup.Escape(path)}[/]");
        return ExitCodes.Ok;
    }

    private static readonly string[] Columns =
        ["Switch", "Our assumption", "Switched to", "Revenue, exact", "Δ exact", "Revenue, improved NGO (mean)", "Δ NGO", "Sellers' revenue R_s, exact", "Δ R_s"];

    private static (double Exact, double Sellers, double Ngo) Measure(DayAheadScenario scenario, IDayAheadSolver exact, ScheduleOptions options, bool metaheuristics, CancellationToken ct)
    {
        var market = DayAheadMarket.Create(scenario);
        var e = exact.Solve(market, ct);
        double ngo = double.NaN;
        if (metaheuristics)
        {
            ngo = options.SeedList.Select(seed => new NorthernGoshawkSolver(options.ForSeed(seed)).Solve(market, ct).Outcome.Objective).Average();
        }
        return (e.Outcome.Objective, e.Outcome.SellerRevenue, ngo);
    }

    private static string[] Row(string key, string assumption, string alternative, List<(double Exact, double Sellers, double Ngo)> m, List<(double Exact, double Sellers, double Ngo)> b, bool ngo)
    {
        string Values(Func<(double Exact, double Sellers, double Ngo), double> pick) => string.Join(" / ", m.Select(x => pick(x).ToString("0", CultureInfo.InvariantCulture)));
        string Deltas(Func<(double Exact, double Sellers, double Ngo), double> pick) =>
            string.Join(" / ", m.Zip(b, (x, y) => (pick(x) - pick(y)).ToString("+0;-0;0", CultureInfo.InvariantCulture)));
        return
        [
            key, assumption, alternative,
            Values(x => x.Exact), Deltas(x => x.Exact),
            ngo ? Values(x => x.Ngo) : "n/a (exact only)", ngo ? Deltas(x => x.Ngo) : "–",
            Values(x => x.Sellers), Deltas(x => x.Sellers),
        ];
    }
}
