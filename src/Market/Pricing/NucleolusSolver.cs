namespace Gateway.Market.Pricing;

/// <summary>
/// Solves the nucleolus of one game for any weights of its trades (the pairs, capacities and trades fixed), building the
/// excess rows once. The stages run on an active subset of the rows (<see cref="NucleolusStages"/>); every other row is
/// then checked against the level of the stage that contracted its two ends, and any that exceeds it joins the subset for
/// another run. The subset carries over to the next <see cref="Solve"/>, so re-solving with slightly different weights
/// (the eq. 2 fixed point) starts from the rows that mattered last time.
/// </summary>
internal sealed class NucleolusSolver
{
    private const double RelativeTolerance = 1e-9;
    private const int SeedRowsPerNode = 4;
    private const int AddedRowsPerNode = 2;
    private const int MaxRuns = 10_000;

    private readonly ExcessRows _rows;
    private readonly int _trades;
    private bool[]? _active;

    /// <summary>Builds the rows of <paramref name="game"/>.</summary>
    public NucleolusSolver(AssignmentGame game)
    {
        _trades = game.Trades.Count;
        _rows = _trades == 0 ? null! : ExcessRows.Build(game);
    }

    /// <summary>How many times the stages ran in the last <see cref="Solve"/> (rows were added between runs).</summary>
    public int Runs { get; private set; }

    /// <summary>The buyer shares when trade t weighs <paramref name="tradeWeights"/>[t], the number of stages and their structure.</summary>
    public (double[] Shares, int Stages, NucleolusStructure Structure) Solve(IReadOnlyList<double> tradeWeights)
    {
        if (_trades == 0) return ([], 0, new NucleolusStructure(1));
        var kappa = _rows.KappaFor(tradeWeights);
        // Relative to the largest trade, so the currency unit changes nothing.
        var largest = tradeWeights.Max(Math.Abs);
        var tolerance = largest > 0 ? RelativeTolerance * largest : double.Epsilon;
        _active ??= Seed(kappa);
        Runs = 0;
        while (true)
        {
            Runs++;
            var list = new List<int>();
            for (var r = 0; r < _rows.Count; r++) if (_active[r]) list.Add(r);
            var run = new NucleolusStages(_rows, kappa, list, tolerance);
            run.Run();
            // Each node takes the rows it violates most, in and out: few enough to keep the next run's graphs small.
            var worstOut = new PriorityQueue<int, double>[_rows.NodeCount];
            var worstIn = new PriorityQueue<int, double>[_rows.NodeCount];
            var violated = 0;
            for (var r = 0; r < _rows.Count; r++)
            {
                if (_active[r]) continue;
                var from = _rows.From[r];
                var to = _rows.To[r];
                var stage = run.Tree.JoinedAt(from, to);
                var violation = kappa[r] - run.Offset[from] + run.Offset[to] - run.Level(stage);
                if (violation <= tolerance) continue;
                violated++;
                Keep(worstOut, from, r, violation, AddedRowsPerNode);
                Keep(worstIn, to, r, violation, AddedRowsPerNode);
            }

            var added = 0;
            foreach (var q in worstOut.Concat(worstIn))
            {
                if (q is null) continue;
                foreach (var (r, _) in q.UnorderedItems)
                    if (!_active[r]) { _active[r] = true; added++; }
            }

            if (added == 0 || Runs >= MaxRuns)
            {
                if (added > 0) throw new InvalidOperationException($"nucleolus: rows still violated after {MaxRuns} runs (numerical trouble)");
                var shares = new double[_trades];
                for (var t = 0; t < _trades; t++) shares[t] = run.Offset[t + 1] - run.Offset[0];
                return (shares, run.Stages, run.Structure);
            }
        }
    }

    // The singletons (they keep every node joined to the zero node both ways, so each stage's graph is strongly connected)
    // and each node's few largest rows in and out.
    private bool[] Seed(double[] kappa)
    {
        var chosen = new bool[_rows.Count];
        var outgoing = new PriorityQueue<int, double>[_rows.NodeCount];
        var incoming = new PriorityQueue<int, double>[_rows.NodeCount];
        for (var r = 0; r < _rows.Count; r++)
        {
            var (from, to) = (_rows.From[r], _rows.To[r]);
            if (from == 0 || to == 0) { chosen[r] = true; continue; }
            Keep(outgoing, from, r, kappa[r], SeedRowsPerNode);
            Keep(incoming, to, r, kappa[r], SeedRowsPerNode);
        }

        foreach (var q in outgoing.Concat(incoming))
            if (q is not null) foreach (var (r, _) in q.UnorderedItems) chosen[r] = true;
        return chosen;
    }

    private static void Keep(PriorityQueue<int, double>[] best, int node, int row, double key, int count)
    {
        var q = best[node] ??= new PriorityQueue<int, double>();
        if (q.Count < count) q.Enqueue(row, key);
        else if (q.TryPeek(out _, out var smallest) && key > smallest) q.EnqueueDequeue(row, key);
    }
}
