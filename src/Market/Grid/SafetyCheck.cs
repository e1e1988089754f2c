namespace Gateway.Market.Grid;

/// <summary>
/// The safety check after matching (Li et al. §II.C, step 3). Flows are the DC superposition of base loads (served from the
/// root) and each trade's power along the tree path from seller to buyer. Curtailment rule, deterministic: while a line is
/// above its limit, take the line with the largest overload (ties: line id, ordinal); among the trades that push flow in
/// the overloading direction on it, fail the one with the smallest weight Q (ties: buyer id, then seller id), recording that
/// line; recompute. Failing whole trades keeps every remaining trade exactly as matched. A line over its limit from base
/// load alone, with no trade left pushing it, is reported as a warning: the market cannot relieve it.
/// </summary>
public static class SafetyCheck
{
    /// <summary>Slack in kW below which a flow counts as at its limit.</summary>
    public const double ToleranceKw = 1e-9;

    /// <summary>Runs the check over <paramref name="trades"/> on <paramref name="topology"/>.</summary>
    public static SafetyCheckResult Run(FeederTopology topology, IReadOnlyList<TradeFlow> trades)
    {
        var lines = topology.Feeder.Lines;
        var baseFlows = topology.BaseFlowsKw();
        var flows = (double[])baseFlows.Clone();
        var paths = new IReadOnlyList<(int Line, int Sign)>[trades.Count];
        for (var t = 0; t < trades.Count; t++)
        {
            paths[t] = topology.Path(trades[t].SellerNodeId, trades[t].BuyerNodeId);
            foreach (var (line, sign) in paths[t]) flows[line] += sign * trades[t].PowerKw;
        }

        var failed = new string?[trades.Count];
        var unrelievable = new bool[lines.Count];
        var warnings = new List<string>();
        while (true)
        {
            var worst = -1;
            var worstOver = ToleranceKw;
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

        return new SafetyCheckResult(failed, flows, baseFlows, warnings);
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
