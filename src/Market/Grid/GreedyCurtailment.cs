namespace Gateway.Market.Grid;

/// <summary>
/// The earlier safety-check rule, kept as <see cref="Model.ExecutionRule.CurtailLowestWeightOnWorstLine"/> to compare
/// against: while a line is above its limit, take the line with the largest overload (ties: line id, ordinal); among the
/// trades that push flow in the overloading direction on it, fail the one with the smallest weight Q (ties: buyer id, then
/// seller id), recording that line; recompute. A failed trade is never let back in, so it can fail more than the feeder
/// requires. A line over its limit from base load alone, with no trade left pushing it, is reported as a warning.
/// </summary>
internal static class GreedyCurtailment
{
    /// <summary>Per trade, the line that failed it (null = executes), and the warnings.</summary>
    public static (string?[] FailedLineIds, List<string> Warnings) Run(FeederTopology topology, IReadOnlyList<TradeFlow> trades,
        IReadOnlyList<(int Line, int Sign)>[] paths, double[] baseFlows)
    {
        var lines = topology.Feeder.Lines;
        var flows = (double[])baseFlows.Clone();
        for (var t = 0; t < trades.Count; t++)
            foreach (var (line, sign) in paths[t]) flows[line] += sign * trades[t].PowerKw;

        var failed = new string?[trades.Count];
        var unrelievable = new bool[lines.Count];
        var warnings = new List<string>();
        while (true)
        {
            var worst = -1;
            var worstOver = SafetyCheck.ToleranceKw;
            for (var l = 0; l < lines.Count; l++)
            {
                if (unrelievable[l]) continue;
                var over = Math.Abs(flows[l]) - lines[l].LimitKw;
                if (over > worstOver || (worst >= 0 && over == worstOver && string.CompareOrdinal(lines[l].Id, lines[worst].Id) < 0))
                {
                    worst = l;
                    worstOver = over;
                }
            }

            if (worst < 0) break;
            var direction = Math.Sign(flows[worst]);
            var victim = -1;
            for (var t = 0; t < trades.Count; t++)
            {
                if (failed[t] is not null || !Pushes(paths[t], worst, direction)) continue;
                if (victim < 0 || Before(trades[t], trades[victim])) victim = t;
            }

            if (victim < 0)
            {
                unrelievable[worst] = true;
                warnings.Add($"line {lines[worst].Id}: {Math.Abs(flows[worst]):0.###} kW exceeds its limit {lines[worst].LimitKw:0.###} kW without any trade (base load)");
                continue;
            }

            failed[victim] = lines[worst].Id;
            foreach (var (line, sign) in paths[victim]) flows[line] -= sign * trades[victim].PowerKw;
        }

        return (failed, warnings);
    }

    private static bool Pushes(IReadOnlyList<(int Line, int Sign)> path, int line, int direction)
    {
        foreach (var (l, s) in path)
        {
            if (l == line) return s == direction;
        }

        return false;
    }

    private static bool Before(TradeFlow a, TradeFlow b)
    {
        if (a.Weight != b.Weight) return a.Weight < b.Weight;
        var c = string.CompareOrdinal(a.BuyerId, b.BuyerId);
        return c != 0 ? c < 0 : string.CompareOrdinal(a.SellerId, b.SellerId) < 0;
    }
}
