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
/// The market core at the paper's size (15 EVs + 5 PV) and beyond, phase by phase on the same round, each beside an
/// independent reference on COIN-OR CLP: our exact b-matching against CLP solving the same matching as an LP (integral for
/// bipartite b-matching, so both must reach the same weight); our combinatorial nucleolus against the
/// Maschler–Peleg–Shapley LP sequence on CLP (both must give the same split); and a whole round (matching, nucleolus,
/// safety check, SMES fallback, settlements). Median of several runs after a warm-up; the CLP references run once.
/// </summary>
internal static class MarketScaleBench
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private static readonly Stopwatch Clock = Stopwatch.StartNew();

    /// <summary>Runs <paramref name="sizes"/>; the LP nucleolus reference is skipped above <paramref name="lpNucleolusLimit"/> participants.</summary>
    public static int Run(IReadOnlyList<(int Buyers, int Sellers)> sizes, int lpNucleolusLimit, string? figurePath)
    {
        var measured = new List<(string Size, double Match, double MatchLp, double Nucleolus, double? NucleolusLp, double Round)>();
        var rows = new List<string>
        {
            "| buyers+sellers | candidate pairs | trades | matching, ours | matching LP, CLP | same weight | nucleolus, ours | nucleolus LPs, CLP | same split | whole round |",
            "|---|---:|---:|---:|---:|:---:|---:|---:|:---:|---:|",
        };
        var solver = new CoinOrSolver();
        foreach (var (m, n) in sizes)
        {
            var round = Round(new Random(7), m, n);
            var graph = CandidateGraph.Build(round);
            var runs = m + n <= 200 ? 9 : 3;
            int[] trades = [];
            Progress($"{m}+{n}: {graph.Edges.Count:N0} candidate pairs; matching");
            var matchMs = Median(runs, () => trades = graph.Match());
            var ourWeight = trades.Sum(k => (double)graph.Edges[k].Weight);
            Progress($"{m}+{n}: matching LP on CLP");
            double lpWeight = 0;
            var lpMatchMs = Median(1, () => lpWeight = MatchingLp(graph, solver));
            var game = graph.Game(trades);
            NucleolusResult ours = null!;
            Progress($"{m}+{n}: {trades.Length} trades; nucleolus");
            var nucleolusMs = Median(runs, () => ours = AssignmentNucleolus.Compute(game));
            string lpNucleolus = "–", same = "–";
            double? lpNucleolusMs = null;
            if (m + n <= lpNucleolusLimit)
            {
                Progress($"{m}+{n}: nucleolus LP sequence on CLP (minutes at 100+100)");
                NucleolusResult lp = null!;
                var sw = Stopwatch.StartNew();
                lp = SequentialLpNucleolus.Compute(game, solver);
                lpNucleolusMs = sw.Elapsed.TotalMilliseconds;
                lpNucleolus = Ms(lpNucleolusMs.Value);
                var gap = ours.BuyerShares.Zip(lp.BuyerShares, (a, b) => Math.Abs(a - b)).DefaultIfEmpty(0).Max();
                same = gap < 1e-6 ? "yes" : string.Create(Inv, $"NO (Δ {gap:g3})");
            }

            Progress($"{m}+{n}: whole round");
            var core = new MarketCore();
            var roundMs = Median(runs, () => core.Clear(round));
            rows.Add(string.Create(Inv,
                $"| {m}+{n} | {graph.Edges.Count:N0} | {trades.Length:N0} | {Ms(matchMs)} | {Ms(lpMatchMs)} | {(Math.Abs(ourWeight - lpWeight) < 0.5 ? "yes" : "NO")} | {Ms(nucleolusMs)} | {lpNucleolus} | {same} | {Ms(roundMs)} |"));
            Console.Error.WriteLine(rows[^1]);
            measured.Add(($"{m}+{n}", matchMs, lpMatchMs, nucleolusMs, lpNucleolusMs, roundMs));
        }

        if (figurePath is not null)
        {
            var chart = new LogBarChart("Market core beside COIN-OR CLP on the same rounds (shared 2-core machine)", measured.Select(r => r.Size + " participants").ToList())
                .Add("matching, ours", "#4e79a7", measured.Select(r => (double?)r.Match).ToArray())
                .Add("matching LP, CLP", "#a0cbe8", measured.Select(r => (double?)r.MatchLp).ToArray())
                .Add("nucleolus, ours", "#f28e2b", measured.Select(r => (double?)r.Nucleolus).ToArray())
                .Add("nucleolus LPs, CLP", "#ffbe7d", measured.Select(r => r.NucleolusLp).ToArray())
                .Add("whole round, ours", "#59a14f", measured.Select(r => (double?)r.Round).ToArray());
            File.WriteAllText(figurePath, chart.ToSvg());
            Console.Error.WriteLine($"figure: {figurePath}");
        }

        Console.WriteLine();
        foreach (var row in rows) Console.WriteLine(row);
        return 0;
    }

    private static void Progress(string what) => Console.Error.WriteLine($"[{Clock.Elapsed.TotalSeconds,6:0.0} s] {what} ...");

    private static string Ms(double ms) =>
        ms < 10 ? ms.ToString("0.00", Inv) + " ms" : ms < 10_000 ? ms.ToString("0", Inv) + " ms" : (ms / 1000).ToString("0.0", Inv) + " s";

    private static double Median(int runs, Action action)
    {
        action();
        var times = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var sw = Stopwatch.StartNew();
            action();
            times.Add(sw.Elapsed.TotalMilliseconds);
        }

        times.Sort();
        return times[times.Count / 2];
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

    /// <summary>
    /// A round on a 9-node radial feeder with one congested line: EV buyers (1–7 kWh, up to 2 sellers each), PV sellers
    /// (1–9 kWh, up to 3 buyers) and discharging EV sellers (1–7 kWh, up to 3 buyers) spread over the nodes, and an SMES.
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
                : new Quotation($"s{j:D4}", ParticipantKind.Ev, TradeRole.Seller, $"n{rnd.Next(0, 9)}", 1 + rnd.NextDouble() * 6, 7.4, 3, 0.15, 2, 0.45, 0.95, 0.05));
        return new MarketRound("bench", 1, 1.0105, 0.3, q, new SmesUnit("smes", "n4", 60, 900, 150, 1300, 60, 0.97, 0.05), new Feeder("n0", nodes, lines));
    }
}
