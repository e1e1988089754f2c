using Gateway.Drivers.Devices;
using Gateway.Runtime.Devices;
using Gateway.Rigs;
using Gateway.Runtime.Status;
using Gateway.Market.Decision;
using Gateway.Market.Model;
using Gateway.Market.Quotes;

namespace Gateway.Runtime.Trading;

/// <summary>
/// The bridge between devices and the market: builds a round's quotations from the latest good
/// readings (Li et al. §II.C "user quotation"), and turns the market's decision back into one
/// setpoint per device.
/// </summary>
/// <remarks>
/// Only good, fresh readings are quoted: a device whose reading is stale, absent or out of
/// range sits the round out rather than trade on a guess. A device that is isolated gets no
/// setpoint at all (its own fail-safe takes it to 0 kW).
/// </remarks>
internal sealed class RoundPlanner
{
    private readonly RigDefinition _rig;

    /// <summary>Plan rounds for <paramref name="rig"/>.</summary>
    public RoundPlanner(RigDefinition rig) => _rig = rig;

    /// <summary>What each PV could deliver, learned across rounds from its output and irradiance.</summary>
    public PvAvailability PvAvailability { get; } = new();

    /// <summary>Round id of the interval starting at <paramref name="intervalStartUtc"/>.</summary>
    public string RoundId(DateTimeOffset intervalStartUtc) => $"{_rig.SiteId}-{intervalStartUtc.UtcDateTime:yyyyMMdd'T'HHmm}";

    /// <summary>The market round for the interval starting at <paramref name="intervalStartUtc"/>, from the links' latest readings.</summary>
    public MarketRound BuildRound(DateTimeOffset intervalStartUtc, IReadOnlyList<DeviceLink> links, DateTimeOffset now)
    {
        var market = _rig.Market;
        var hours = market.Interval.TotalHours;
        var maxAge = TimeSpan.FromTicks(Math.Max(market.Interval.Ticks / 4, links.Count == 0 ? 0 : links.Max(l => l.Device.PollPeriod.Ticks) * 3));
        var quotations = new List<Quotation>();
        SmesUnit? smes = null;
        var econ = market.Economics;
        foreach (var link in links.OrderBy(l => l.Device.Id, StringComparer.Ordinal))
        {
            // A read-only device is only watched: it cannot carry out a trade, so it does not quote.
            if (link.State == DeviceLinkState.Isolated || link.Driver.ReadOnly || link.LastReading is not { } last) continue;
            var reading = last.AsOf(now, maxAge);
            var device = link.Device;
            switch (device.Kind)
            {
                case "charger":
                {
                    if (!reading.TryGetGood(PointRole.StateOfCharge, out var soc)
                        || !reading.TryGetGood(PointRole.BatteryCapacity, out var capacity)
                        || !reading.TryGetGood(PointRole.TargetStateOfCharge, out var target)
                        || !reading.TryGetGood(PointRole.TimeToDeparture, out var minutes))
                        continue;
                    reading.TryGetGood(PointRole.MinPower, out var minPower);
                    reading.TryGetGood(PointRole.MaxPower, out var maxPower);
                    var state = new EvState(device.ParticipantId, device.NodeId, PluggedIn: true, soc, capacity, target, minutes / 60.0,
                        MaxChargePowerKw: Math.Max(0, -minPower), MaxDischargePowerKw: Math.Max(0, maxPower),
                        new EvTradeParameters(market.MaxSellersPerBuyer, econ.EvConsumptionKwhPerKm, econ.DistanceToChargerKm,
                            econ.EvChargingPricePerKwh, econ.TransferEfficiency, econ.BatteryDegradationPerKwh, econ.BatteryWearPerTrade));
                    if (QuotationBuilder.ForEv(state, hours) is { } q)
                        quotations.Add(q.Role == TradeRole.Seller ? q with { MaxTrades = market.MaxBuyersPerSeller } : q);
                    break;
                }
                case "pv-inverter":
                {
                    if (!reading.TryGetGood(PointRole.MeasuredPower, out var powerKw)) continue;
                    var rated = reading.TryGetGood(PointRole.MaxPower, out var wrtg) && wrtg > 0 ? wrtg : Math.Max(powerKw, 0);
                    var throttled = reading.Find(PointRole.Status) is { Quality: MeasurementQuality.Good, Text: "throttled" };
                    double? irradiance = reading.TryGetGood(PointRole.Irradiance, out var g) ? g : null;
                    var availableKw = PvAvailability.AvailableKw(device.Id, powerKw, rated, throttled, irradiance);
                    if (QuotationBuilder.ForPv(new PvState(device.ParticipantId, device.NodeId, availableKw, rated, market.MaxBuyersPerSeller, econ.PvOperatingCostPerKwh), hours) is { } q)
                        quotations.Add(q);
                    break;
                }
                case "smes" when market.SmesEnabled:
                {
                    if (!reading.TryGetGood(PointRole.CoilCurrent, out var current)
                        || !reading.TryGetGood(PointRole.MaxCoilCurrent, out var maxCurrent)
                        || !reading.TryGetGood(PointRole.MaxPower, out var maxPowerKw))
                        continue;
                    reading.TryGetGood(PointRole.MinCoilCurrent, out var minCurrent);
                    var inductance = reading.Find("InductanceH") is { } l && l.TryGetGood(out var h) ? h : 0;
                    if (inductance <= 0) continue;
                    smes = new SmesUnit(device.ParticipantId, device.NodeId, inductance, current, minCurrent, maxCurrent, maxPowerKw, SmesConverterEfficiency, econ.SmesOperatingCostPerKwh);
                    break;
                }
            }
        }

        var feeder = new Feeder(_rig.Feeder.RootNodeId,
            _rig.Feeder.Nodes.Select(n => new FeederNode(n.Id, n.BaseLoadKw)).ToList(),
            _rig.Feeder.Lines.Select(l => new FeederLine(l.Id, l.FromNodeId, l.ToNodeId, l.LimitKw)).ToList());
        var timeOfDay = TimeOnly.FromTimeSpan(intervalStartUtc.UtcDateTime.TimeOfDay);
        return new MarketRound(RoundId(intervalStartUtc), hours, market.GridPriceAt(timeOfDay), market.FeedInPricePerKwh, quotations, smes, feeder)
        {
            Rules = market.Rules ?? MarketRules.Paper,
        };
    }

    /// <summary>
    /// One setpoint per reachable trading device: EVs follow their net traded energy over the
    /// interval (0 when idle), the SMES its fallback power, PV is capped at the energy it sold
    /// or stored, so every flow on the feeder is one the safety check cleared.
    /// </summary>
    public IReadOnlyList<PlannedSetpoint> Setpoints(RoundDecision decision, MarketRound round, IReadOnlyList<DeviceLink> links)
    {
        var hours = round.IntervalHours;
        var net = new Dictionary<string, double>(StringComparer.Ordinal);
        var failedSurplus = new Dictionary<string, double>(StringComparer.Ordinal);
        void Add(string id, double kwh) => net[id] = net.GetValueOrDefault(id) + kwh;
        foreach (var t in decision.Trades)
        {
            if (t.Status == TradeStatus.Executed)
            {
                Add(t.SellerId, t.EnergyKwh);
                Add(t.BuyerId, -t.EnergyKwh);
            }
            else
            {
                failedSurplus[t.SellerId] = failedSurplus.GetValueOrDefault(t.SellerId) + t.EnergyKwh;
            }
        }
        foreach (var a in decision.SmesActions)
        {
            if (a.Direction == SmesDirection.Discharge) Add(a.CounterpartyId, -a.EnergyKwh);
            else
            {
                Add(a.CounterpartyId, a.EnergyKwh);
                failedSurplus[a.CounterpartyId] = failedSurplus.GetValueOrDefault(a.CounterpartyId) - a.EnergyKwh;
            }
        }

        var result = new List<PlannedSetpoint>();
        var pvLinks = new List<DeviceLink>();
        foreach (var link in links.OrderBy(l => l.Device.Id, StringComparer.Ordinal).Where(l => !l.Driver.ReadOnly))
        {
            var d = link.Device;
            switch (d.Kind)
            {
                case "charger" when link.State != DeviceLinkState.Isolated:
                    var kw = net.GetValueOrDefault(d.ParticipantId) / hours;
                    result.Add(new PlannedSetpoint(d.Id, kw, Math.Abs(kw) < 1e-9 ? "idle" : kw > 0 ? "sells (V2G)" : "buys"));
                    break;
                case "pv-inverter" when link.State != DeviceLinkState.Isolated:
                    pvLinks.Add(link);
                    break;
                case "smes" when link.State != DeviceLinkState.Isolated && decision.Smes is { } s:
                    result.Add(new PlannedSetpoint(d.Id, s.NetPowerKw, "SMES fallback"));
                    break;
                case "smes" when link.State != DeviceLinkState.Isolated:
                    result.Add(new PlannedSetpoint(d.Id, 0, "idle"));
                    break;
            }
        }
        result.AddRange(PvCaps(pvLinks, net, failedSurplus, result, hours, decision.FeedIn));
        return result.OrderBy(r => r.DeviceId, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// PV output beyond what it sold goes to the grid (feed-in). A PV in the round gets the cap the
    /// market decided (its sales plus the export headroom its feeder path had left, already in the
    /// decision's line flows); a PV that did not quote this round is capped at the headroom left
    /// after that, on every line between it and the root — so no line is overloaded however the
    /// sun shines, and PV is curtailed only where the feeder really is full.
    /// </summary>
    private IEnumerable<PlannedSetpoint> PvCaps(List<DeviceLink> pvLinks, Dictionary<string, double> netKwh, Dictionary<string, double> failedSurplus,
        List<PlannedSetpoint> others, double hours, IReadOnlyList<FeedInAllowance> decided)
    {
        var allowance = decided.ToDictionary(f => f.ParticipantId, StringComparer.Ordinal);
        var feeder = _rig.Feeder;
        var upstreamLine = feeder.Lines.ToDictionary(l => l.ToNodeId, l => l, StringComparer.Ordinal);
        var nodeOf = _rig.Devices.ToDictionary(d => d.Id, d => d.NodeId, StringComparer.Ordinal);
        // Export-direction flow on each line (towards the root), from the other setpoints and base loads.
        var injection = feeder.Nodes.ToDictionary(n => n.Id, n => -n.BaseLoadKw, StringComparer.Ordinal);
        foreach (var sp in others) injection[nodeOf[sp.DeviceId]] += sp.SetpointKw;
        var upFlow = feeder.Lines.ToDictionary(l => l.Id, _ => 0.0, StringComparer.Ordinal);
        foreach (var (node, kw) in injection)
        {
            for (var at = node; upstreamLine.TryGetValue(at, out var line); at = line.FromNodeId) upFlow[line.Id] += kw;
        }

        foreach (var link in pvLinks.Where(l => allowance.ContainsKey(l.Device.ParticipantId)).OrderBy(l => l.Device.Id, StringComparer.Ordinal))
        {
            var f = allowance[link.Device.ParticipantId];
            for (var at = link.Device.NodeId; upstreamLine.TryGetValue(at, out var line); at = line.FromNodeId) upFlow[line.Id] += f.CapKw;
            var curtailed = f.LimitedBy.StartsWith("line:", StringComparison.Ordinal);
            yield return new PlannedSetpoint(link.Device.Id, f.CapKw,
                failedSurplus.GetValueOrDefault(link.Device.ParticipantId) > 1e-6 && curtailed ? "curtailed: a trade failed the safety check"
                : curtailed ? $"capped at sales + feeder headroom ({f.LimitedBy})" : "uncapped (sales + feed-in)");
        }

        foreach (var link in pvLinks.Where(l => !allowance.ContainsKey(l.Device.ParticipantId)).OrderBy(l => l.Device.Id, StringComparer.Ordinal))
        {
            var d = link.Device;
            var salesKw = netKwh.GetValueOrDefault(d.ParticipantId) / hours;
            var rated = link.LastReading?.TryGetGood(PointRole.MaxPower, out var r) == true && r > 0 ? r : salesKw;
            var headroom = double.PositiveInfinity;
            for (var at = d.NodeId; upstreamLine.TryGetValue(at, out var line); at = line.FromNodeId)
                headroom = Math.Min(headroom, line.LimitKw - upFlow[line.Id] - salesKw);
            var extra = Math.Clamp(headroom, 0, Math.Max(0, rated - salesKw));
            var cap = salesKw + extra;
            for (var at = d.NodeId; upstreamLine.TryGetValue(at, out var line); at = line.FromNodeId) upFlow[line.Id] += cap;
            var why = failedSurplus.GetValueOrDefault(d.ParticipantId) > 1e-6 && extra < rated - salesKw - 1e-6
                ? "curtailed: a trade failed the safety check"
                : extra < rated - salesKw - 1e-6 ? "capped at sales + feeder headroom" : "uncapped (sales + feed-in)";
            yield return new PlannedSetpoint(d.Id, cap, why);
        }
    }

    /// <summary>One-way converter efficiency assumed for the SMES when its profile does not report one.</summary>
    public const double SmesConverterEfficiency = 0.97;
}
