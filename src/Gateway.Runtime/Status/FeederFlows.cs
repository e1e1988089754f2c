namespace Gateway.Runtime.Status;

/// <summary>Computes line flows on the radial feeder: a line carries the net injection of every node below it.</summary>
internal static class FeederFlows
{
    /// <summary>
    /// The feeder view for <paramref name="topology"/>: measured flows from each device's <c>PowerKw</c>, planned flows from the
    /// setpoints in force (devices without one count their measured power), minus base loads.
    /// </summary>
    public static FeederView Compute(FeederTopology topology, IReadOnlyList<DeviceHealth> devices, IReadOnlyList<DispatchedSetpoint> setpoints, RoundSummary? latestDecided)
    {
        var byId = devices.ToDictionary(d => d.DeviceId, StringComparer.Ordinal);
        var planned = setpoints.Where(s => s.Status is not Journal.SetpointStatus.Skipped).ToDictionary(s => s.DeviceId, s => s.SetpointKw, StringComparer.Ordinal);
        var children = topology.Lines.ToLookup(l => l.FromNodeId, StringComparer.Ordinal);
        var nodes = topology.Nodes.ToDictionary(n => n.Id, StringComparer.Ordinal);
        var lines = new List<LineFlow>();
        foreach (var line in topology.Lines)
        {
            double measured = 0, plan = 0;
            bool complete = true, stale = false;
            foreach (var nodeId in Subtree(line.ToNodeId, children))
            {
                if (!nodes.TryGetValue(nodeId, out var node)) continue;
                measured -= node.BaseLoadKw;
                plan -= node.BaseLoadKw;
                foreach (var deviceId in node.DeviceIds)
                {
                    if (!byId.TryGetValue(deviceId, out var d) || d.Kind == "meter") continue;
                    var has = d.Measurements.TryGetValue("PowerKw", out var kw) && double.IsFinite(kw);
                    if (has) measured += kw; else complete = false;
                    stale |= d.Stale;
                    plan += planned.TryGetValue(deviceId, out var sp) ? sp : has ? kw : 0;
                }
            }
            double? m = complete ? Math.Round(measured, 3) : null;
            lines.Add(new LineFlow(line.Id, line.LimitKw, m, Math.Round(plan, 3), m is { } f ? Math.Round(Math.Abs(f) / line.LimitKw, 3) : null, stale));
        }
        var failed = latestDecided?.Trades.Where(t => t.FailedLineId is not null).ToList() ?? [];
        return new FeederView(topology, lines, failed, latestDecided?.RoundId);
    }

    private static IEnumerable<string> Subtree(string node, ILookup<string, FeederDiagramLine> children)
    {
        var stack = new Stack<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        stack.Push(node);
        while (stack.Count > 0)
        {
            var n = stack.Pop();
            if (!seen.Add(n)) continue;
            yield return n;
            foreach (var c in children[n]) stack.Push(c.ToNodeId);
        }
    }
}
