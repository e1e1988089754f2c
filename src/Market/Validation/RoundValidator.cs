using Gateway.Market.Model;

namespace Gateway.Market.Validation;

/// <summary>
/// Checks a <see cref="MarketRound"/> before clearing: ranges (<see cref="RoundLimits"/>), ids, the feeder being a tree, and
/// physical limits (no quotation asks for more energy than its power limit allows in the interval). Paths use the JSON
/// contract's names. A round without participants is valid: it clears to an empty decision with a warning.
/// </summary>
internal static class RoundValidator
{
    private const double EnergySlackKwh = 1e-9;

    /// <summary>Returns every problem found (empty when the round is valid).</summary>
    public static IReadOnlyList<ValidationError> Validate(MarketRound round)
    {
        var errors = new List<ValidationError>();
        void Fail(string path, string message) => errors.Add(new ValidationError(path, message));
        void Range(string path, double value, double min, double max, bool minExclusive = false)
        {
            if (!double.IsFinite(value)) Fail(path, "must be a finite number");
            else if (minExclusive ? value <= min : value < min) Fail(path, minExclusive ? $"must be > {min}" : $"must be ≥ {min}");
            else if (value > max) Fail(path, $"must be ≤ {max:G} ({value:G} is beyond what the market can represent; see docs/market-model.md, input ranges)");
        }

        if (string.IsNullOrWhiteSpace(round.RoundId)) Fail("roundId", "required");
        Range("intervalHours", round.IntervalHours, 0, 24, minExclusive: true);
        Range("gridPricePerKwh", round.GridPricePerKwh, 0, RoundLimits.MaxPricePerKwh);
        Range("feedInPricePerKwh", round.FeedInPricePerKwh, 0, RoundLimits.MaxPricePerKwh);
        if (round.Participants.Count > RoundLimits.MaxParticipants)
            Fail("participants", $"{round.Participants.Count} participants; at most {RoundLimits.MaxParticipants} per round");
        if (round.Rules.ExecutionNodeBudget < 1) Fail("rules.executionNodeBudget", "must be ≥ 1");

        var nodes = ValidateFeeder(round.Feeder, Fail, Range);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < round.Participants.Count; i++)
        {
            var p = round.Participants[i];
            var at = $"participants[{i}]";
            if (string.IsNullOrWhiteSpace(p.Id)) Fail(at + ".id", "required");
            else if (!ids.Add(p.Id)) Fail(at + ".id", $"duplicate id '{p.Id}'");
            if (string.IsNullOrWhiteSpace(p.NodeId)) Fail(at + ".node", "required");
            else if (!nodes.Contains(p.NodeId)) Fail(at + ".node", $"unknown node '{p.NodeId}'");
            if (p.Kind == ParticipantKind.Pv && p.Role != TradeRole.Seller) Fail(at + ".role", "PV can only be a seller");
            Range(at + ".energyKwh", p.EnergyKwh, 0, RoundLimits.MaxEnergyKwh);
            Range(at + ".maxPowerKw", p.MaxPowerKw, 0, RoundLimits.MaxPowerKw, minExclusive: true);
            if (p.MaxTrades < 1) Fail(at + ".maxTrades", "must be ≥ 1");
            else if (p.MaxTrades > RoundLimits.MaxTradesPerParticipant) Fail(at + ".maxTrades", $"must be ≤ {RoundLimits.MaxTradesPerParticipant}");
            Range(at + ".consumptionKwhPerKm", p.ConsumptionKwhPerKm, 0, RoundLimits.MaxConsumptionKwhPerKm);
            Range(at + ".distanceKm", p.DistanceKm, 0, RoundLimits.MaxDistanceKm);
            Range(at + ".chargingPricePerKwh", p.ChargingPricePerKwh, 0, RoundLimits.MaxPricePerKwh);
            Range(at + ".efficiency", p.Efficiency, 0, 1, minExclusive: true);
            Range(at + ".batteryWearPerKwh", p.BatteryWearPerKwh, 0, RoundLimits.MaxPricePerKwh);
            Range(at + ".batteryWearPerTrade", p.BatteryWearPerTrade, 0, RoundLimits.MaxCostPerTrade);
            Range(at + ".maintenancePerKwh", p.MaintenancePerKwh, 0, RoundLimits.MaxPricePerKwh);
            var limitKwh = p.MaxPowerKw * round.IntervalHours;
            if (double.IsFinite(p.EnergyKwh) && double.IsFinite(limitKwh) && p.MaxPowerKw > 0 && p.EnergyKwh > limitKwh + EnergySlackKwh)
            {
                var verb = p.Role == TradeRole.Buyer ? "demands" : "offers";
                Fail(at + ".energyKwh", $"{verb} {p.EnergyKwh:0.###} kWh but maxPowerKw × intervalHours allows only {limitKwh:0.###} kWh");
            }
        }

        if (round.Smes is { } s)
        {
            if (string.IsNullOrWhiteSpace(s.Id)) Fail("smes.id", "required");
            else if (ids.Contains(s.Id)) Fail("smes.id", $"duplicate id '{s.Id}' (also a participant)");
            if (string.IsNullOrWhiteSpace(s.NodeId)) Fail("smes.node", "required");
            else if (!nodes.Contains(s.NodeId)) Fail("smes.node", $"unknown node '{s.NodeId}'");
            Range("smes.inductanceH", s.InductanceH, 0, RoundLimits.MaxInductanceH, minExclusive: true);
            Range("smes.minCurrentA", s.MinCurrentA, 0, RoundLimits.MaxCurrentA);
            Range("smes.maxCurrentA", s.MaxCurrentA, 0, RoundLimits.MaxCurrentA, minExclusive: true);
            Range("smes.currentA", s.CurrentA, 0, RoundLimits.MaxCurrentA);
            if (s.MinCurrentA > s.MaxCurrentA) Fail("smes.minCurrentA", "must be ≤ maxCurrentA");
            if (s.CurrentA > s.MaxCurrentA || s.CurrentA < s.MinCurrentA) Fail("smes.currentA", "must lie between minCurrentA and maxCurrentA");
            Range("smes.maxPowerKw", s.MaxPowerKw, 0, RoundLimits.MaxPowerKw);
            Range("smes.efficiency", s.Efficiency, 0, 1, minExclusive: true);
            Range("smes.maintenancePerKwh", s.MaintenancePerKwh, 0, RoundLimits.MaxPricePerKwh);
        }

        return errors;
    }

    /// <summary>Throws <see cref="RoundValidationException"/> when the round is invalid.</summary>
    public static void ThrowIfInvalid(MarketRound round)
    {
        var errors = Validate(round);
        if (errors.Count > 0) throw new RoundValidationException(errors);
    }

    private static HashSet<string> ValidateFeeder(Feeder feeder, Action<string, string> fail, Action<string, double, double, double, bool> range)
    {
        var nodes = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < feeder.Nodes.Count; i++)
        {
            var n = feeder.Nodes[i];
            if (string.IsNullOrWhiteSpace(n.Id)) fail($"feeder.nodes[{i}].id", "required");
            else if (!nodes.Add(n.Id)) fail($"feeder.nodes[{i}].id", $"duplicate node '{n.Id}'");
            range($"feeder.nodes[{i}].baseLoadKw", n.BaseLoadKw, -RoundLimits.MaxLineKw, RoundLimits.MaxLineKw, false);
        }

        if (string.IsNullOrWhiteSpace(feeder.RootNodeId)) fail("feeder.root", "required");
        else if (!nodes.Contains(feeder.RootNodeId)) fail("feeder.root", $"unknown node '{feeder.RootNodeId}'");

        var lineIds = new HashSet<string>(StringComparer.Ordinal);
        var parent = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < feeder.Lines.Count; i++)
        {
            var l = feeder.Lines[i];
            var at = $"feeder.lines[{i}]";
            if (string.IsNullOrWhiteSpace(l.Id)) fail(at + ".id", "required");
            else if (!lineIds.Add(l.Id)) fail(at + ".id", $"duplicate line '{l.Id}'");
            var endsKnown = true;
            foreach (var (name, node) in new[] { ("from", l.FromNodeId), ("to", l.ToNodeId) })
            {
                if (string.IsNullOrWhiteSpace(node)) { fail($"{at}.{name}", "required"); endsKnown = false; }
                else if (!nodes.Contains(node)) { fail($"{at}.{name}", $"unknown node '{node}'"); endsKnown = false; }
            }

            range(at + ".limitKw", l.LimitKw, 0, RoundLimits.MaxLineKw, true);
            if (!endsKnown) continue;
            if (l.ToNodeId == feeder.RootNodeId) fail(at + ".to", "the root node cannot be fed by a line (lines run from the root outwards)");
            else if (!parent.TryAdd(l.ToNodeId, l.FromNodeId)) fail(at + ".to", $"node '{l.ToNodeId}' is fed by two lines (the feeder must be radial)");
        }

        if (nodes.Contains(feeder.RootNodeId))
        {
            foreach (var n in nodes)
            {
                var seen = new HashSet<string>(StringComparer.Ordinal);
                var v = n;
                while (v != feeder.RootNodeId && parent.TryGetValue(v, out var up) && seen.Add(v)) v = up;
                if (v != feeder.RootNodeId)
                {
                    fail("feeder.lines", $"node '{n}' is not connected to the root '{feeder.RootNodeId}' (or lies on a loop)");
                }
            }
        }

        return nodes;
    }
}
