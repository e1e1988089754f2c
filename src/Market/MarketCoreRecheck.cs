using Gateway.Market.Decision;
using Gateway.Market.Grid;
using Gateway.Market.Matching;
using Gateway.Market.Model;
using Gateway.Market.Storage;

namespace Gateway.Market;

public sealed partial class MarketCore
{
    /// <summary>
    /// Re-checks a decision when part of it cannot be dispatched (Li et al. §II.C steps 3–4 again, on what is left):
    /// every trade with a side in <paramref name="failures"/> is cancelled — except a PV seller's, whose cap only bounds
    /// its feed-in from above: a PV that missed its cap still produces, so its trades stand (settled, like every trade, on
    /// metered energy) and their buyers keep their load, which may be what holds a line against that PV's uncurtailed
    /// output; each failed device is held at its possible
    /// power range as a fixed injection on the feeder; the remaining executed trades go through the safety check again
    /// against line windows narrowed by that range (so every line holds wherever in its range each failed device
    /// actually runs), the SMES fallback serves the dispatchable sides of the trades that no longer execute (unless
    /// the SMES itself failed), and the PV feed-in caps are recomputed. The original trades, prices and splits are
    /// kept — nothing is re-matched, so a buyer is only ever curtailed, never given a new seller. Settlements follow the
    /// trades and SMES actions that remain. Pure and deterministic: the same inputs give the same re-checked decision.
    /// </summary>
    /// <param name="round">The round the decision cleared.</param>
    /// <param name="decision">The decision (from <see cref="Clear"/>, or an earlier re-check of it).</param>
    /// <param name="failures">The devices that cannot follow it; one per participant.</param>
    /// <remarks>
    /// The re-check always selects the executed set exactly (maximum welfare within the windows), whatever
    /// <see cref="MarketRules.Execution"/> says: it is a safety pass, and only the exact selection honours the narrowed
    /// windows. A line that the failed devices and base loads alone take out of its limit cannot be relieved by trades;
    /// its window is widened to that flow (trades may not make it worse) and a warning names it.
    /// </remarks>
    public RoundDecision Recheck(MarketRound round, RoundDecision decision, IReadOnlyList<DispatchFailure> failures)
    {
        ArgumentNullException.ThrowIfNull(round);
        ArgumentNullException.ThrowIfNull(decision);
        ArgumentNullException.ThrowIfNull(failures);
        if (failures.Count == 0) return decision;
        var failed = new Dictionary<string, DispatchFailure>(StringComparer.Ordinal);
        foreach (var f in failures)
        {
            if (!(f.MinPowerKw <= f.MaxPowerKw) || !double.IsFinite(f.MinPowerKw) || !double.IsFinite(f.MaxPowerKw))
                throw new ArgumentException($"dispatch failure of {f.ParticipantId}: power range [{f.MinPowerKw}, {f.MaxPowerKw}] kW is not a range", nameof(failures));
            if (!failed.TryAdd(f.ParticipantId, f)) throw new ArgumentException($"dispatch failure of {f.ParticipantId} given twice", nameof(failures));
        }

        var rules = round.Rules;
        var warnings = decision.Warnings.ToList();
        var topology = new FeederTopology(round.Feeder);
        var lines = round.Feeder.Lines;
        var quotes = round.Participants.ToDictionary(q => q.Id, StringComparer.Ordinal);
        var grid = CandidateGraph.Build(round).Grid;

        // Each failed device at the middle of its range; the half-width narrows every line between it and the root.
        var baseFlows = topology.BaseFlowsKw();
        var halfWidth = new double[lines.Count];
        foreach (var f in failed.Values.OrderBy(f => f.ParticipantId, StringComparer.Ordinal))
        {
            var mid = (f.MinPowerKw + f.MaxPowerKw) / 2;
            var half = (f.MaxPowerKw - f.MinPowerKw) / 2;
            foreach (var (line, sign) in topology.Path(f.NodeId, round.Feeder.RootNodeId))
            {
                baseFlows[line] += sign * mid;
                halfWidth[line] += half;
            }
        }

        var windows = new LineWindow[lines.Count];
        for (var l = 0; l < lines.Count; l++)
        {
            var limit = lines[l].LimitKw;
            var low = -limit + halfWidth[l];
            var high = limit - halfWidth[l];
            if (baseFlows[l] < low || baseFlows[l] > high)
            {
                // Out of reach of any trade: hold the line where the failed devices put it (at worst), trades may not add.
                warnings.Add($"re-check: line {lines[l].Id} may carry up to {Math.Abs(baseFlows[l]) + halfWidth[l]:0.###} kW from base load and devices that cannot be dispatched alone, over its {limit:0.###} kW limit; no trade may add to it");
                low = Math.Min(low, baseFlows[l]);
                high = Math.Max(high, baseFlows[l]);
            }

            windows[l] = new LineWindow(low, high);
        }

        // Trades: those with a failed side are cancelled, but for a failed PV seller's; the rest of the executed ones
        // are checked again. A failed PV seller's output is already on the feeder as its failure range, so a trade it
        // keeps adds only its buyer's load, drawn from the root's side. Cancelling it would take away that load and
        // leave the line between them carrying the PV alone (found by the soak: a link-wide outage that took the PV caps
        // after the loads had been confirmed).
        var trades = decision.Trades.ToList();
        var candidates = new List<int>();
        var paths = new List<IReadOnlyList<(int Line, int Sign)>>();
        for (var k = 0; k < trades.Count; k++)
        {
            var t = trades[k];
            if (t.Status != TradeStatus.Executed) continue;
            var side = failed.GetValueOrDefault(t.BuyerId) ?? (quotes[t.SellerId].Kind == ParticipantKind.Pv ? null : failed.GetValueOrDefault(t.SellerId));
            if (side is not null)
            {
                trades[k] = t with { Status = TradeStatus.Failed, FailedLineId = null, OverloadKw = null, CancelledBecause = $"{side.ParticipantId} cannot be dispatched: {side.Reason}" };
                continue;
            }
            candidates.Add(k);
            var from = failed.ContainsKey(t.SellerId) ? round.Feeder.RootNodeId : quotes[t.SellerId].NodeId;
            paths.Add(topology.Path(from, quotes[t.BuyerId].NodeId));
        }

        var outcome = MaxWelfareExecution.Select(windows, baseFlows, paths.ToArray(), candidates.Select(k => trades[k].EnergyKwh / round.IntervalHours).ToArray(),
            candidates.Select(k => grid.ToUnits(trades[k].Weight)).ToArray(), rules.ExecutionNodeBudget);
        var flows = (double[])baseFlows.Clone();
        for (var c = 0; c < candidates.Count; c++)
        {
            if (!outcome.Executed[c]) continue;
            foreach (var (line, sign) in paths[c]) flows[line] += sign * trades[candidates[c]].EnergyKwh / round.IntervalHours;
        }

        for (var c = 0; c < candidates.Count; c++)
        {
            if (outcome.Executed[c]) continue;
            var k = candidates[c];
            var worst = paths[c].OrderByDescending(p => windows[p.Line].Excess(flows[p.Line] + p.Sign * trades[k].EnergyKwh / round.IntervalHours))
                .ThenBy(p => lines[p.Line].Id, StringComparer.Ordinal).First();
            var over = windows[worst.Line].Excess(flows[worst.Line] + worst.Sign * trades[k].EnergyKwh / round.IntervalHours);
            trades[k] = trades[k] with
            {
                Status = TradeStatus.Failed, FailedLineId = lines[worst.Line].Id, OverloadKw = over,
                CancelledBecause = $"with the devices that cannot be dispatched at their fail-safe power, line {lines[worst.Line].Id} would carry {over:0.###} kW over its limit",
            };
        }

        // SMES fallback for the dispatchable sides of every trade that does not execute, in the clearing's order.
        var actions = new List<SmesAction>();
        SmesOutcome? smesOutcome = null;
        if (round.Smes is { } smes && !failed.ContainsKey(smes.Id))
        {
            var requests = new List<SmesRequest>();
            foreach (var t in trades.Where(t => t.Status == TradeStatus.Failed).OrderByDescending(t => t.Weight)
                         .ThenBy(t => t.BuyerId, StringComparer.Ordinal).ThenBy(t => t.SellerId, StringComparer.Ordinal))
            {
                if (!failed.ContainsKey(t.BuyerId))
                    requests.Add(new SmesRequest(t.BuyerId, quotes[t.BuyerId].NodeId, SmesDirection.Discharge, t.EnergyKwh, t.PricePerKwh, t.BuyerId, t.SellerId));
                if (!failed.ContainsKey(t.SellerId))
                    requests.Add(new SmesRequest(t.SellerId, quotes[t.SellerId].NodeId, SmesDirection.Charge, t.EnergyKwh, t.PricePerKwh, t.BuyerId, t.SellerId));
            }

            (actions, smesOutcome) = SmesFallback.Run(smes, topology, windows, round.IntervalHours, round.GridPricePerKwh, rules, flows, requests);
        }
        else if (round.Smes is { } gone)
        {
            warnings.Add($"re-check: the SMES {gone.Id} cannot be dispatched ({failed[gone.Id].Reason}); no fallback this round");
        }

        var marketFlows = (double[])flows.Clone();
        var feedIn = FeedInCaps.Compute(round, topology, windows, trades, actions, flows, failed.Keys.ToHashSet(StringComparer.Ordinal));
        var priced = trades.Select(t => new PricedTrade(quotes[t.BuyerId], quotes[t.SellerId], t.EnergyKwh, t.Weight, grid.ToUnits(t.Weight),
            BenefitModel.TravelPrice(round, t.PricePerKwh), t.PricePerKwh, t.BuyerPayoff)).ToList();
        var executedWeight = trades.Where(t => t.Status == TradeStatus.Executed).Sum(t => t.Weight);
        var report = new ExecutionReport(ExecutionRule.MaximumWelfare, executedWeight,
            outcome.Proven ? executedWeight : executedWeight + (outcome.UpperBoundUnits - outcome.ExecutedUnits) * grid.Unit, outcome.Proven, outcome.Nodes);
        var safety = new SafetyCheckResult(trades.Select(t => t.FailedLineId).ToArray(), trades.Select(t => t.OverloadKw ?? double.NaN).ToArray(), flows, baseFlows, windows, [], report);
        foreach (var f in failed.Values.OrderBy(f => f.ParticipantId, StringComparer.Ordinal))
            warnings.Add($"re-check: {f.ParticipantId} cannot be dispatched ({f.Reason}); held at {(f.MinPowerKw == f.MaxPowerKw ? $"{f.MinPowerKw:0.###} kW" : $"{f.MinPowerKw:0.###}..{f.MaxPowerKw:0.###} kW")}");
        return Assemble(round, decision.Candidates, priced, trades, actions, smesOutcome, topology, flows, marketFlows, safety, feedIn, warnings) with
        {
            Execution = report,
            FeedIn = feedIn,
            Rules = rules,
        };
    }
}
