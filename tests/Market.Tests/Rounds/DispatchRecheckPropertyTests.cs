using Gateway.Market.Contracts;
using Gateway.Market.Decision;
using Gateway.Market.Model;

namespace Gateway.Market.Tests.Rounds;

/// <summary>
/// The dispatch re-check (<see cref="MarketCore.Recheck"/>) on random rounds with random sets of devices that cannot be
/// dispatched, each at a fixed power or anywhere in a range: recomputed here from the re-checked trades, SMES actions
/// and PV caps, with every failed device at either end of its range, no line exceeds its limit (unless a warning names
/// it: base load or the failed devices alone already do, and then the re-checked flows are no worse than theirs alone);
/// no trade with a failed side executes but a failed PV seller's (its cap only bounds it from above), nothing is settled
/// with another failed participant, every executed trade was executed before, every participant stays within its quotation and
/// the SMES within its power; the same inputs give the same decision.
/// </summary>
public sealed class DispatchRecheckPropertyTests
{
    [Fact]
    public void Random_failed_subsets_leave_every_line_and_device_within_its_limits()
    {
        var seed = TestSeeds.Fresh();
        var checkedRounds = 0;
        var cancelled = 0;
        foreach (var fixedSeed in new[] { 1, 2, 3, 17, seed })
        {
            var rnd = new Random(fixedSeed);
            var core = new MarketCore();
            for (var n = 0; n < 40; n++)
            {
                var round = RoundPropertyTests.RandomRound(rnd, rnd.Next(1, 9), rnd.Next(1, 9), rnd.NextDouble() < 0.7);
                var cleared = core.Clear(round);
                var planned = NetPowerKw(round, cleared);
                var context = $"seed {fixedSeed} (this run's random seed: {seed}), round {n}";

                var ids = round.Participants.Select(q => q.Id).Concat(round.Smes is { } sm ? [sm.Id] : []).ToList();
                var failures = new List<DispatchFailure>();
                foreach (var id in ids.Where(_ => rnd.NextDouble() < 0.3))
                {
                    var node = round.Participants.FirstOrDefault(q => q.Id == id)?.NodeId ?? round.Smes!.NodeId;
                    var p = planned.GetValueOrDefault(id);
                    failures.Add(rnd.Next(3) switch
                    {
                        0 => DispatchFailure.At(id, node, 0, "isolated"),
                        1 => DispatchFailure.At(id, node, Math.Round((rnd.NextDouble() * 2 - 1) * Math.Abs(p), 3), "read back another value"),
                        _ => new DispatchFailure(id, node, Math.Min(0, p), Math.Max(0, p), "no answer in time"),
                    });
                }
                if (failures.Count == 0) continue;
                checkedRounds++;

                var d = core.Recheck(round, cleared, failures);
                var failed = failures.ToDictionary(f => f.ParticipantId);
                bool FailedPv(string id) => failed.ContainsKey(id) && round.Participants.Single(q => q.Id == id).Kind == ParticipantKind.Pv;

                // No trade with a failed side executes; executed trades were executed before; nothing settles with a failed participant.
                var before = cleared.Trades.Where(t => t.Status == TradeStatus.Executed).Select(t => (t.BuyerId, t.SellerId)).ToHashSet();
                foreach (var t in d.Trades.Where(t => t.Status == TradeStatus.Executed))
                {
                    Assert.False(failed.ContainsKey(t.BuyerId) || (failed.ContainsKey(t.SellerId) && !FailedPv(t.SellerId)), $"{context}: {t.SellerId}->{t.BuyerId} executes with a failed side");
                    Assert.Contains((t.BuyerId, t.SellerId), before);
                }
                foreach (var t in d.Trades.Where(t => t.Status == TradeStatus.Failed && before.Contains((t.BuyerId, t.SellerId))))
                {
                    Assert.False(string.IsNullOrEmpty(t.CancelledBecause), $"{context}: {t.SellerId}->{t.BuyerId} cancelled without a reason");
                    cancelled++;
                }
                Assert.DoesNotContain(d.Settlements, s => failed.ContainsKey(s.PayerId) || (failed.ContainsKey(s.PayeeId) && !FailedPv(s.PayeeId)));
                Assert.DoesNotContain(d.SmesActions, a => a.EnergyKwh > 0 && failed.ContainsKey(a.CounterpartyId));
                if (round.Smes is { } smes && failed.ContainsKey(smes.Id)) Assert.Empty(d.SmesActions);

                // Devices within their quotations; the SMES within its power.
                var net = NetPowerKw(round, d);
                foreach (var q in round.Participants.Where(q => !failed.ContainsKey(q.Id)))
                {
                    var traded = d.Trades.Where(t => t.Status == TradeStatus.Executed && (t.BuyerId == q.Id || t.SellerId == q.Id)).Sum(t => t.EnergyKwh)
                                 + d.SmesActions.Where(a => a.CounterpartyId == q.Id).Sum(a => a.EnergyKwh);
                    Assert.True(traded <= q.EnergyKwh + 1e-6, $"{context}: {q.Id} delivers {traded} kWh of {q.EnergyKwh}");
                }
                if (round.Smes is { } s2 && d.Smes is { } o) Assert.True(Math.Abs(o.NetPowerKw) <= s2.MaxPowerKw + 1e-6, context);

                // Lines, with each failed device at whichever end of its range is worse for the line.
                var lines = round.Feeder.Lines;
                foreach (var line in lines)
                {
                    var below = Subtree(round.Feeder, line.ToNodeId).ToHashSet();
                    // Power flowing out of the subtree towards the root (= −flow in the line's orientation).
                    var baseLoad = round.Feeder.Nodes.Where(x => below.Contains(x.Id)).Sum(x => -x.BaseLoadKw);
                    var up = baseLoad + net.Where(kv => !failed.ContainsKey(kv.Key) && below.Contains(NodeOf(round, kv.Key))).Sum(kv => kv.Value);
                    var low = up + failures.Where(f => below.Contains(f.NodeId)).Sum(f => f.MinPowerKw);
                    var high = up + failures.Where(f => below.Contains(f.NodeId)).Sum(f => f.MaxPowerKw);
                    if (d.Warnings.Any(w => w.Contains($"line {line.Id}", StringComparison.Ordinal)))
                    {
                        // Out of reach of any trade: the dispatched devices may not make it worse than the base load
                        // and the failed devices alone would.
                        var alone = Math.Max(Math.Abs(baseLoad + failures.Where(f => below.Contains(f.NodeId)).Sum(f => f.MinPowerKw)),
                            Math.Abs(baseLoad + failures.Where(f => below.Contains(f.NodeId)).Sum(f => f.MaxPowerKw)));
                        Assert.True(Math.Max(Math.Abs(low), Math.Abs(high)) <= Math.Max(alone, line.LimitKw) + 1e-6,
                            $"{context}: line {line.Id} may carry {low:0.###}..{high:0.###} kW, worse than the {alone:0.###} kW of its base load and failed devices alone");
                        continue;
                    }
                    Assert.True(Math.Max(Math.Abs(low), Math.Abs(high)) <= line.LimitKw + 1e-6,
                        $"{context}: line {line.Id} may carry {low:0.###}..{high:0.###} kW (towards the root) over its {line.LimitKw} kW; failed: "
                        + string.Join(", ", failures.Select(f => $"{f.ParticipantId}@{f.NodeId} [{f.MinPowerKw}, {f.MaxPowerKw}]")));
                }

                // Deterministic.
                Assert.Equal(DecisionJson.Serialize(d), DecisionJson.Serialize(core.Recheck(round, cleared, failures)));
            }
        }
        Assert.True(checkedRounds > 50, $"only {checkedRounds} rounds had a failure");
        Assert.True(cancelled > 0, "no trade was ever cancelled: the test would not notice a re-check that does nothing");
    }

    [Fact]
    public void Without_failures_the_decision_is_unchanged()
    {
        var round = RoundPropertyTests.RandomRound(new Random(5), 5, 5, true);
        var core = new MarketCore();
        var d = core.Clear(round);
        Assert.Same(d, core.Recheck(round, d, []));
    }

    [Fact]
    public void A_range_that_is_not_a_range_or_a_participant_given_twice_is_refused()
    {
        var round = RoundPropertyTests.RandomRound(new Random(5), 3, 3, false);
        var core = new MarketCore();
        var d = core.Clear(round);
        var e = Assert.Throws<ArgumentException>(() => core.Recheck(round, d, [new DispatchFailure("b00", "n0", 2, 1, "x")]));
        Assert.Contains("b00", e.Message);
        e = Assert.Throws<ArgumentException>(() => core.Recheck(round, d, [DispatchFailure.At("b00", "n0", 0, "x"), DispatchFailure.At("b00", "n0", 0, "y")]));
        Assert.Contains("twice", e.Message);
    }

    /// <summary>Every participant's power (kW, + = delivered to the grid) as dispatched: trades, SMES actions, PV at its cap.</summary>
    private static Dictionary<string, double> NetPowerKw(MarketRound round, RoundDecision d)
    {
        var h = round.IntervalHours;
        var net = new Dictionary<string, double>(StringComparer.Ordinal);
        void Add(string id, double kw) => net[id] = net.GetValueOrDefault(id) + kw;
        foreach (var t in d.Trades.Where(t => t.Status == TradeStatus.Executed))
        {
            Add(t.SellerId, t.EnergyKwh / h);
            Add(t.BuyerId, -t.EnergyKwh / h);
        }
        foreach (var a in d.SmesActions)
        {
            var sign = a.Direction == SmesDirection.Discharge ? 1 : -1;
            Add(a.CounterpartyId, -sign * a.EnergyKwh / h);
            Add(round.Smes!.Id, sign * a.EnergyKwh / h);
        }
        // A PV runs at its cap (sales + feed-in), the worst case for export.
        foreach (var f in d.FeedIn) net[f.ParticipantId] = f.CapKw;
        return net;
    }

    private static string NodeOf(MarketRound round, string id) => round.Participants.FirstOrDefault(q => q.Id == id)?.NodeId ?? round.Smes!.NodeId;

    private static IEnumerable<string> Subtree(Feeder feeder, string node) =>
        feeder.Lines.Where(l => l.FromNodeId == node).SelectMany(l => Subtree(feeder, l.ToNodeId)).Prepend(node);
}
