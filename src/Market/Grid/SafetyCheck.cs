using Gateway.Market.Model;

namespace Gateway.Market.Grid;

/// <summary>
/// The safety check after matching (Li et al. §II.C, step 3). Flows are the DC superposition of base loads (served from
/// the root) and each trade's power along the tree path from seller to buyer. Which trades execute depends on the rule:
/// <see cref="ExecutionRule.MaximumWelfare"/> (default) executes the set of largest total weight that keeps every line
/// within its window (<see cref="MaxWelfareExecution"/>, exact); <see cref="ExecutionRule.CurtailLowestWeightOnWorstLine"/>
/// is the earlier greedy rule (<see cref="GreedyCurtailment"/>). Failing whole trades keeps every remaining trade exactly
/// as matched. Each failed trade is explained: the line that would exceed its limit most if the trade were added to the
/// executed ones, and by how much.
/// </summary>
internal static class SafetyCheck
{
    /// <summary>Slack in kW below which a flow counts as at its limit (scaled up on lines above 1 kW, see <see cref="LineWindow.Tolerance"/>).</summary>
    public const double ToleranceKw = 1e-9;

    /// <summary>Runs the check over <paramref name="trades"/> on <paramref name="topology"/> with <paramref name="rules"/>.</summary>
    public static SafetyCheckResult Run(FeederTopology topology, IReadOnlyList<TradeFlow> trades, MarketRules rules)
    {
        var lines = topology.Feeder.Lines;
        var baseFlows = topology.BaseFlowsKw();
        var windows = lines.Select((l, k) => LineWindow.For(l.LimitKw, baseFlows[k])).ToArray();
        var paths = trades.Select(t => topology.Path(t.SellerNodeId, t.BuyerNodeId)).ToArray();
        string?[] failedLine;
        var warnings = new List<string>();
        ExecutionReport report;
        var allWeight = trades.Sum(t => t.Weight);
        if (rules.Execution == ExecutionRule.CurtailLowestWeightOnWorstLine)
        {
            (failedLine, warnings) = GreedyCurtailment.Run(topology, trades, paths, baseFlows);
            report = new ExecutionReport(rules.Execution, trades.Where((_, t) => failedLine[t] is null).Sum(t => t.Weight), allWeight, false, 0);
        }
        else
        {
            var outcome = MaxWelfareExecution.Select(windows, baseFlows, paths, trades.Select(t => t.PowerKw).ToArray(),
                trades.Select(t => t.WeightUnits).ToArray(), rules.ExecutionNodeBudget);
            failedLine = new string?[trades.Count];
            for (var t = 0; t < trades.Count; t++)
                if (!outcome.Executed[t]) failedLine[t] = "";
            var unit = trades.Count > 0 && trades[0].WeightUnits > 0 ? trades[0].Weight / trades[0].WeightUnits : 0;
            var executedWeight = trades.Where((_, t) => outcome.Executed[t]).Sum(t => t.Weight);
            report = new ExecutionReport(rules.Execution, executedWeight,
                outcome.Proven ? executedWeight : executedWeight + (outcome.UpperBoundUnits - outcome.ExecutedUnits) * unit, outcome.Proven, outcome.Nodes);
            if (!outcome.Proven)
                warnings.Add($"execution: the search stopped after {outcome.Nodes} nodes; the executed trades carry {executedWeight:0.######} of at most {report.UpperBoundWeight:0.######} (no failed trade fits)");
        }

        var flows = (double[])baseFlows.Clone();
        for (var t = 0; t < trades.Count; t++)
        {
            if (failedLine[t] is not null) continue;
            foreach (var (line, sign) in paths[t]) flows[line] += sign * trades[t].PowerKw;
        }

        // Why each failed trade failed: added back alone, which line would it take furthest out of its window?
        var overload = new double[trades.Count];
        for (var t = 0; t < trades.Count; t++)
        {
            overload[t] = double.NaN;
            if (failedLine[t] is null) continue;
            var worst = -1;
            var worstExcess = double.NegativeInfinity;
            foreach (var (line, sign) in paths[t])
            {
                var excess = windows[line].Excess(flows[line] + sign * trades[t].PowerKw);
                if (excess > worstExcess || (excess == worstExcess && string.CompareOrdinal(lines[line].Id, lines[worst].Id) < 0))
                {
                    worst = line;
                    worstExcess = excess;
                }
            }

            if (failedLine[t] is { Length: > 0 } named)
            {
                // The greedy rule names the line it failed the trade on; report that line's excess.
                var k = Index(lines, named);
                var sign = paths[t].First(p => p.Line == k).Sign;
                overload[t] = windows[k].Excess(flows[k] + sign * trades[t].PowerKw);
            }
            else
            {
                failedLine[t] = lines[worst].Id;
                overload[t] = worstExcess;
            }
        }

        for (var l = 0; l < lines.Count; l++)
        {
            if (rules.Execution == ExecutionRule.CurtailLowestWeightOnWorstLine) break;
            if (Math.Abs(baseFlows[l]) > lines[l].LimitKw + ToleranceKw)
                warnings.Add($"line {lines[l].Id}: {Math.Abs(baseFlows[l]):0.###} kW of base load alone exceeds its limit {lines[l].LimitKw:0.###} kW; trades may not add to it (now {Math.Abs(flows[l]):0.###} kW)");
        }

        return new SafetyCheckResult(failedLine, overload, flows, baseFlows, windows, warnings, report);
    }

    private static int Index(IReadOnlyList<FeederLine> lines, string id)
    {
        for (var k = 0; k < lines.Count; k++) if (lines[k].Id == id) return k;
        return -1;
    }
}
