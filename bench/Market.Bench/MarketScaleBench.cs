using System.Diagnostics;
using System.Globalization;
using Gateway.Market;
using Gateway.Market.Matching;
using Gateway.Market.Model;
using Gateway.Market.Solvers;

namespace Gateway.Bench;

/// <summary>
/// Market core at the paper's size and beyond: the exact b-matching (ours, min-cost flow) side
/// by side with COIN-OR CLP solving the same matching as an LP (integral for bipartite
/// b-matching, so both must reach the same weight), and a whole round (matching, nucleolus,
/// safety check, SMES fallback, settlements). Median of several runs after a warm-up.
/// </summary>
internal static class MarketScaleBench
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static int Run()
    {
        Console.WriteLine("| buyers+sellers | candidate pairs | matching, ours ms | matching LP, COIN-OR CLP ms | same weight | whole round ms |");
        Console.WriteLine("|---|---:|---:|---:|:---:|---:|");
        foreach (var (m, n, rounds) in new[] { (15, 5, true), (100, 100, true), (1000, 1000, false) })
        {
            var rnd = new Random(42);
            var (la, l, edges) = Instance(rnd, m, n);
            int[] ours = [];
            var oursMs = Median(5, () => ours = BMatchingSolver.Solve(m, n, la, l, edges));
            double lpWeight = 0;
            var lpMs = Median(1, () => lpWeight = SolveLp(m, n, la, l, edges));
            var oursWeight = ours.Sum(k => (double)edges[k].Weight);
            var roundMs = rounds ? Median(1, () => new MarketCore().Clear(Round(new Random(7), m, n))) : double.NaN;
            Console.WriteLine(string.Create(Inv, $"| {m}+{n} | {edges.Count} | {oursMs:0.###} | {lpMs:0.###} | {(Math.Abs(oursWeight - lpWeight) < 0.5 ? "yes" : "NO")} | {(double.IsNaN(roundMs) ? "–" : roundMs.ToString("0.###", Inv))} |"));
        }
        return 0;
    }

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

    private static (int[] La, int[] L, List<MatchingEdge> Edges) Instance(Random rnd, int m, int n)
    {
        var la = Enumerable.Range(0, m).Select(_ => rnd.Next(1, 3)).ToArray();
        var l = Enumerable.Range(0, n).Select(_ => rnd.Next(1, 4)).ToArray();
        var edges = new List<MatchingEdge>();
        var degree = Math.Min(n, 20);
        for (var i = 0; i < m; i++)
            foreach (var j in Enumerable.Range(0, n).OrderBy(_ => rnd.Next()).Take(degree))
                edges.Add(new MatchingEdge(i, j, rnd.Next(1, 100_000)));
        return (la, l, edges);
    }

    private static double SolveLp(int m, int n, int[] la, int[] l, List<MatchingEdge> edges)
    {
        var lp = new LinearProgram { Sense = ObjectiveSense.Maximize };
        var x = edges.Select((e, k) => lp.AddVariable($"x{k}", 0, 1, e.Weight)).ToArray();
        for (var i = 0; i < m; i++) lp.AddConstraint($"b{i}", edges.Select((e, k) => (e, k)).Where(p => p.e.Buyer == i).Select(p => (x[p.k], 1.0)).ToList(), double.NegativeInfinity, la[i]);
        for (var j = 0; j < n; j++) lp.AddConstraint($"s{j}", edges.Select((e, k) => (e, k)).Where(p => p.e.Seller == j).Select(p => (x[p.k], 1.0)).ToList(), double.NegativeInfinity, l[j]);
        return new CoinOrSolver().Solve(lp).ObjectiveValue;
    }

    private static MarketRound Round(Random rnd, int buyers, int sellers)
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
