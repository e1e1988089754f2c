using Gateway.Market.Decision;
using Gateway.Market.Model;

namespace Gateway.Market.Grid;

/// <summary>
/// The last flows of a round: what each PV seller may export beyond what it sold. A PV's output does not wait for a buyer;
/// what it does not sell goes to the grid unless its inverter is capped. Each PV (ordinal by id) may feed in up to its
/// rating, as far as every line between it and the root keeps its window with the flows already planned (base loads,
/// executed trades, SMES actions, the PV sellers before it); the cap is added to the flows, so the decision's line flows
/// hold every PV at its cap — the worst case the gateway can see. EV sellers whose trades fail keep their energy (their
/// chargers are dispatched at what they traded), so they add no flow.
/// </summary>
internal static class FeedInCaps
{
    /// <summary>Computes the allowances and adds them to <paramref name="flowsKw"/>.</summary>
    /// <param name="round">The round.</param>
    /// <param name="topology">Its feeder.</param>
    /// <param name="windows">Each line's window.</param>
    /// <param name="trades">The decided trades.</param>
    /// <param name="actions">The SMES actions.</param>
    /// <param name="flowsKw">Flows planned so far; the caps are added.</param>
    /// <param name="fixedParticipants">PV sellers whose power is already in <paramref name="flowsKw"/> (devices the gateway cannot dispatch): no allowance.</param>
    public static IReadOnlyList<FeedInAllowance> Compute(MarketRound round, FeederTopology topology, IReadOnlyList<LineWindow> windows,
        IReadOnlyList<Trade> trades, IReadOnlyList<SmesAction> actions, double[] flowsKw, IReadOnlySet<string>? fixedParticipants = null)
    {
        var lines = topology.Feeder.Lines;
        var soldKwh = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var t in trades.Where(t => t.Status == TradeStatus.Executed)) soldKwh[t.SellerId] = soldKwh.GetValueOrDefault(t.SellerId) + t.EnergyKwh;
        foreach (var a in actions.Where(a => a.Direction == SmesDirection.Charge)) soldKwh[a.CounterpartyId] = soldKwh.GetValueOrDefault(a.CounterpartyId) + a.EnergyKwh;

        var result = new List<FeedInAllowance>();
        foreach (var pv in round.Participants.Where(p => p.Kind == ParticipantKind.Pv && fixedParticipants?.Contains(p.Id) != true).OrderBy(p => p.Id, StringComparer.Ordinal))
        {
            var soldKw = soldKwh.GetValueOrDefault(pv.Id) / round.IntervalHours;
            var extra = Math.Max(0, pv.MaxPowerKw - soldKw);
            var limitedBy = "rating";
            var path = topology.Path(pv.NodeId, round.Feeder.RootNodeId);
            foreach (var (line, sign) in path)
            {
                var w = windows[line];
                var headroom = Math.Max(0, sign > 0 ? w.HighKw - flowsKw[line] : flowsKw[line] - w.LowKw);
                if (headroom < extra) { extra = headroom; limitedBy = "line:" + lines[line].Id; }
            }

            foreach (var (line, sign) in path) flowsKw[line] += sign * extra;
            result.Add(new FeedInAllowance(pv.Id, soldKw, extra, soldKw + extra, limitedBy));
        }

        return result;
    }
}
