using System.Diagnostics;
using System.Globalization;
using Gateway.Market;
using Gateway.Market.Matching;
using Gateway.Market.Model;
using Gateway.Market.Pricing;
using Gateway.Market.Solvers;
using Gateway.Market.Tests.Pricing;

namespace Gateway.Bench;

/// <summary>
/// The market core at the paper's size (15 EVs + 5 PV) and beyond, phase by phase, each beside independent references on
/// the same rounds: our exact b-matching against OR-Tools' min-cost flow, OR-Tools' linear-sum assignment (on the exact
/// reduction of b-matching to assignment) and the same matching as an LP on OR-Tools GLOP (integral for bipartite
/// b-matching) — all must reach the same integer weight —; our combinatorial nucleolus against the Maschler–Peleg–Shapley LP
/// sequence (same split); and whole rounds (matching, nucleolus, safety check, SMES fallback, settlements) under the
/// paper's rules and with the buyer's travel at C_ep. Every timing is the mean ± sd over rounds drawn with different
/// seeds (10 by default), after a warm-up round.
/// </summary>
internal static class MarketScaleBench
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private static readonly Stopwatch Clock = Stopwatch.StartNew();

    /// <summary>One row of the bench: a round shape and size.</summary>
    internal sealed record Size(string Label, int Buyers, int Sellers, bool Tied)
    {
        public static Size Parse(string text)
        {
            var tied = text.EndsWith('t');
            var parts = text.TrimEnd('t').Split('+');
            if (parts.Length != 2 || !int.TryParse(parts[0], out var b) || !int.TryParse(parts[1], out var s) || b < 1 || s < 1)
                throw new FormatException($"'{text}' is not BUYERS+SELLERS (add t for the tied thousand-unit round)");
            return new Size(tied ? $"{b}+{s} tied, ×1000" : $"{b}+{s}", b, s, tied);
        }
    }

    /// <summary>Runs <paramref name="sizes"/> over <paramref name="seeds"/> rounds each.</summary>
    public static int Run(IReadOnlyList<Size> sizes, int seeds, int lpNucleolusLimit, int assignmentLimit, string? figurePath, bool nucleolusOnly = false)
    {
        var measured = new List<(string Size, double Match, double? Mcf, double? Lsa, double? Lp, double Nucleolus, double? NucleolusLp, double? Round, double? RoundGrid)>();
        var rows = new List<string>
        {
            "| round | candidate pairs | trades | matching, ours | min-cost flow, OR-Tools | assignment, OR-Tools | matching LP, GLOP | same weight | nucleolus, ours | nucleolus LPs, GLOP | same split | whole round (paper rules) | whole round (travel at C_ep) |",
            "|---|---:|---:|---:|---:|---:|---:|:---:|---:|---:|:---:|---:|---:|",
        };
        var solver = BenchSolvers.Linear();
        foreach (var size in sizes)
        {
            var participants = size.Buyers + size.Sellers;
            var lpSeeds = participants <= 400 ? seeds : Math.Min(seeds, 3);
            var t = new Dictionary<string, List<double>>();
            void Time(string key, Action action)
            {
                var sw = Stopwatch.StartNew();
                action();
                (t.TryGetValue(key, out var l) ? l : t[key] = []).Add(sw.Elapsed.TotalMilliseconds);
            }

            var sameWeight = true;
            var sameSplit = "–";
            double pairs = 0, trades = 0;
            for (var seed = 0; seed <= seeds; seed++)
            {
                var warmUp = seed == 0;
                var round = Round(size, new Random(seed));
                var graph = CandidateGraph.Build(round);
                Progress($"{size.Label}, seed {seed}{(warmUp ? " (warm-up)" : "")}: {graph.Edges.Count:N0} pairs");
                int[] matched = [];
                long mcf = 0, lsa = 0;
                double lp = 0;
                Time("match", () => matched = graph.Match());
                // --nucleolus-only: matching and nucleolus alone, for a quick comparison of two round shapes' nucleolus times.
                if (!nucleolusOnly)
                {
                    Time("mcf", () => mcf = OrToolsAnchors.MinCostFlowWeight(graph));
                    if (participants <= assignmentLimit) Time("lsa", () => lsa = OrToolsAnchors.AssignmentWeight(graph));
                    if (seed <= lpSeeds) Time("lp", () => lp = MatchingLp(graph, solver));
                }
                var ours = matched.Sum(k => graph.Edges[k].Weight);
                // The LP's objective is a double of ~10¹² units: equal within its solver's tolerances (GLOP: ~1e-7 per row), not to the unit.
                var same = nucleolusOnly || ours == mcf && (participants > assignmentLimit || ours == lsa) && (seed > lpSeeds || Math.Abs(ours - lp) <= 0.5 + 1e-7 * ours);
                if (!same) Progress($"{size.Label}, seed {seed}: ours {ours}, min-cost flow {mcf}, assignment {lsa}, LP {lp:R}");
                sameWeight &= same;
                var game = graph.Game(matched);
                NucleolusResult nucleolus = null!;
                Time("nucleolus", () => nucleolus = AssignmentNucleolus.Compute(game));
                if (seed == 1 && participants <= lpNucleolusLimit && !nucleolusOnly)
                {
                    Progress($"{size.Label}: nucleolus LP sequence on GLOP (a minute at 70+70)");
                    NucleolusResult reference = null!;
                    Time("nucleolusLp", () => reference = SequentialLpNucleolus.Compute(game, solver));
                    var gap = nucleolus.BuyerShares.Zip(reference.BuyerShares, (a, b) => Math.Abs(a - b)).DefaultIfEmpty(0).Max();
                    sameSplit = gap < 1e-6 * Math.Max(1, nucleolus.TradeWeights.DefaultIfEmpty(1).Max()) ? "yes" : string.Create(Inv, $"NO (Δ {gap:g3})");
                }

                if (!nucleolusOnly)
                {
                    var core = new MarketCore();
                    Time("round", () => core.Clear(round));
                    Time("roundGrid", () => core.Clear(round with { Rules = round.Rules with { BuyerTravel = BuyerTravelPricing.GridPrice } }));
                }
                if (warmUp) { t.Clear(); continue; }
                pairs += graph.Edges.Count;
                trades += matched.Length;
            }

            string Cell(string key) => t.TryGetValue(key, out var l) ? MeanSd(l) : "–";
            double? Mean(string key) => t.TryGetValue(key, out var l) ? l.Average() : null;
            rows.Add(string.Create(Inv,
                $"| {size.Label} | {pairs / seeds:N0} | {trades / seeds:N0} | {Cell("match")} | {Cell("mcf")} | {Cell("lsa")} | {Cell("lp")}{(lpSeeds < seeds && t.ContainsKey("lp") ? $" ({lpSeeds} seeds)" : "")} | {(nucleolusOnly ? "–" : sameWeight ? "yes" : "NO")} | {Cell("nucleolus")} | {Cell("nucleolusLp")} | {sameSplit} | {Cell("round")} | {Cell("roundGrid")} |"));
            Console.Error.WriteLine(rows[^1]);
            measured.Add((size.Label, Mean("match")!.Value, Mean("mcf"), Mean("lsa"), Mean("lp"), Mean("nucleolus")!.Value, Mean("nucleolusLp"), Mean("round"), Mean("roundGrid")));
        }

        if (figurePath is not null)
        {
            File.WriteAllText(figurePath, Figure(measured.Select(r => (r.Size, (double?)r.Match, r.Mcf, r.Lsa, r.Lp, (double?)r.Nucleolus, r.NucleolusLp, r.Round)).ToList(), seeds));
            Console.Error.WriteLine($"figure: {figurePath}");
        }

        Console.WriteLine();
        foreach (var row in rows) Console.WriteLine(row);
        return sizes.Count > 0 ? 0 : 2;
    }

    private static string Figure(IReadOnlyList<(string Size, double? Match, double? Mcf, double? Lsa, double? Lp, double? Nucleolus, double? NucleolusLp, double? Round)> measured, int? seeds) =>
        new LogBarChart($"Market core beside OR-Tools on the same rounds ({(seeds is { } n ? $"mean of {n} rounds each" : "means from the bench's table")}; shared 2-core machine)", measured.Select(r => r.Size).ToList())
            .Add("matching, ours", "#4e79a7", measured.Select(r => r.Match).ToArray())
            .Add("min-cost flow, OR-Tools", "#76b7b2", measured.Select(r => r.Mcf).ToArray())
            .Add("assignment, OR-Tools", "#b07aa1", measured.Select(r => r.Lsa).ToArray())
            .Add("matching LP, GLOP", "#a0cbe8", measured.Select(r => r.Lp).ToArray())
            .Add("nucleolus, ours", "#f28e2b", measured.Select(r => r.Nucleolus).ToArray())
            .Add("nucleolus LPs, GLOP", "#ffbe7d", measured.Select(r => r.NucleolusLp).ToArray())
            .Add("whole round, paper rules", "#59a14f", measured.Select(r => r.Round).ToArray())
            .ToSvg();

    /// <summary>
    /// Draws the figure from rows of the table <see cref="Run"/> prints (other lines ignored; the column order is this
    /// bench's). A cell reads "12 ms ± 3", "0.25 ms", "1.5 s ± 0.2" or "–" (not run).
    /// </summary>
    public static int Chart(IEnumerable<string> lines, string figurePath)
    {
        var measured = new List<(string, double?, double?, double?, double?, double?, double?, double?)>();
        foreach (var line in lines)
        {
            var cells = line.Trim().Trim('|').Split('|').Select(c => c.Trim()).ToArray();
            if (!line.TrimStart().StartsWith('|') || cells.Length != 13 || cells[0] is "round" || cells[0].StartsWith("---", StringComparison.Ordinal)) continue;
            measured.Add((cells[0], Cell(cells[3]), Cell(cells[4]), Cell(cells[5]), Cell(cells[6]), Cell(cells[8]), Cell(cells[9]), Cell(cells[11])));
        }

        if (measured.Count == 0) throw new FormatException("no rows of the scale bench's table found");
        File.WriteAllText(figurePath, Figure(measured, null));
        Console.Error.WriteLine($"figure: {figurePath} ({measured.Count} rows)");
        return 0;

        static double? Cell(string cell)
        {
            if (cell.Length == 0 || cell[0] is '–' or '-') return null;
            var parts = cell.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length < 2 || !double.TryParse(parts[0], NumberStyles.Float, Inv, out var value))
                throw new FormatException($"'{cell}' is not a time (\"12 ms ± 3\", \"1.5 s\")");
            return parts[1] switch
            {
                "ms" => value,
                "s" => value * 1000,
                _ => throw new FormatException($"'{cell}': unit '{parts[1]}' is not ms or s"),
            };
        }
    }

    private static void Progress(string what) => Console.Error.WriteLine($"[{Clock.Elapsed.TotalSeconds,6:0.0} s] {what} ...");

    private static string Ms(double ms) =>
        ms < 10 ? ms.ToString("0.00", Inv) + " ms" : ms < 10_000 ? ms.ToString("0", Inv) + " ms" : (ms / 1000).ToString("0.0", Inv) + " s";

    private static string MeanSd(List<double> times)
    {
        var mean = times.Average();
        if (times.Count < 2) return Ms(mean);
        var sd = Math.Sqrt(times.Sum(x => (x - mean) * (x - mean)) / (times.Count - 1));
        return ms(mean, sd);

        static string ms(double m, double s) => m < 10_000
            ? string.Create(Inv, $"{Ms(m)} ± {(m < 10 ? s.ToString("0.00", Inv) : s.ToString("0", Inv))}")
            : string.Create(Inv, $"{Ms(m)} ± {(s / 1000).ToString("0.0", Inv)}");
    }

    private static double MatchingLp(CandidateGraph graph, ILinearSolver solver)
    {
        var lp = new LinearProgram { Sense = ObjectiveSense.Maximize };
        var x = graph.Edges.Select((e, k) => lp.AddVariable("x" + k, 0, 1, e.Weight)).ToArray();
        var byBuyer = graph.Edges.Select((e, k) => (e, k)).GroupBy(p => p.e.Buyer);
        var bySeller = graph.Edges.Select((e, k) => (e, k)).GroupBy(p => p.e.Seller);
        foreach (var g in byBuyer) lp.AddConstraint("b" + g.Key, g.Select(p => (x[p.k], 1.0)).ToList(), double.NegativeInfinity, graph.Buyers[g.Key].MaxTrades);
        foreach (var g in bySeller) lp.AddConstraint("s" + g.Key, g.Select(p => (x[p.k], 1.0)).ToList(), double.NegativeInfinity, graph.Sellers[g.Key].MaxTrades);
        return solver.Solve(lp).ObjectiveValue;
    }

    internal static MarketRound Round(Size size, Random rnd) => size.Tied ? TiedRound(rnd, size.Buyers, size.Sellers) : Round(rnd, size.Buyers, size.Sellers);

    /// <summary>
    /// A round on a 9-node radial feeder with one congested line: EV buyers (1–7 kWh, up to 2 sellers each), PV sellers
    /// (1–9 kWh, up to 3 buyers) and discharging EV sellers (1–7 kWh, up to 3 buyers, B_j = 0.2 per trade) spread over the
    /// nodes, and an SMES; the paper's rules.
    /// </summary>
    internal static MarketRound Round(Random rnd, int buyers, int sellers)
    {
        var nodes = Enumerable.Range(0, 9).Select(k => new FeederNode($"n{k}", k % 3 == 0 ? 1 : 0)).ToList();
        var lines = Enumerable.Range(1, 8).Select(k => new FeederLine($"L{k}", $"n{(k - 1) / 2}", $"n{k}", k == 3 ? 10 : 500)).ToList();
        var q = new List<Quotation>();
        for (var i = 0; i < buyers; i++) q.Add(new Quotation($"b{i:D4}", ParticipantKind.Ev, TradeRole.Buyer, $"n{rnd.Next(0, 9)}", 1 + rnd.NextDouble() * 6, 7.4, 2, 0.15, 2));
        for (var j = 0; j < sellers; j++)
            q.Add(j % 2 == 0
                ? new Quotation($"s{j:D4}", ParticipantKind.Pv, TradeRole.Seller, $"n{rnd.Next(0, 9)}", 1 + rnd.NextDouble() * 8, 10, 3, MaintenancePerKwh: 0.1)
                : new Quotation($"s{j:D4}", ParticipantKind.Ev, TradeRole.Seller, $"n{rnd.Next(0, 9)}", 1 + rnd.NextDouble() * 6, 7.4, 3, 0.15, 2, 0.45, 0.95, BatteryWearPerTrade: 0.2));
        return new MarketRound("bench", 1, 1.0105, 0.3, q, new SmesUnit("smes", "n4", 60, 900, 150, 1300, 60, 0.97, 0.05), new Feeder("n0", nodes, lines));
    }

    /// <summary>
    /// The slow case of issue 18: thousand-unit prices (grid 1000, feed-in 300, p₀ 450, k_pv 100, B_j 50 per trade) with
    /// the same costs for everyone and whole-kWh energies, so thousands of pairs weigh exactly the same.
    /// </summary>
    internal static MarketRound TiedRound(Random rnd, int buyers, int sellers)
    {
        var nodes = Enumerable.Range(0, 9).Select(k => new FeederNode($"n{k}", k % 3 == 0 ? 1 : 0)).ToList();
        var lines = Enumerable.Range(1, 8).Select(k => new FeederLine($"L{k}", $"n{(k - 1) / 2}", $"n{k}", k == 3 ? 10 : 500)).ToList();
        var q = new List<Quotation>();
        for (var i = 0; i < buyers; i++) q.Add(new Quotation($"b{i:D4}", ParticipantKind.Ev, TradeRole.Buyer, $"n{rnd.Next(0, 9)}", rnd.Next(1, 8), 7.4, 2, 0.15, 2));
        for (var j = 0; j < sellers; j++)
            q.Add(j % 2 == 0
                ? new Quotation($"s{j:D4}", ParticipantKind.Pv, TradeRole.Seller, $"n{rnd.Next(0, 9)}", rnd.Next(1, 10), 10, 3, MaintenancePerKwh: 100)
                : new Quotation($"s{j:D4}", ParticipantKind.Ev, TradeRole.Seller, $"n{rnd.Next(0, 9)}", rnd.Next(1, 8), 7.4, 3, 0.15, 2, 450, 0.95, BatteryWearPerTrade: 50));
        return new MarketRound("tied", 1, 1000, 300, q, new SmesUnit("smes", "n4", 60, 900, 150, 1300, 60, 0.97, 50), new Feeder("n0", nodes, lines));
    }
}
