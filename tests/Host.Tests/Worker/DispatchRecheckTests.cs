using Gateway.Drivers.Modbus;
using Gateway.Runtime.Devices;
using Gateway.Runtime.Journal;
using Gateway.Rigs;
using Gateway.Runtime.Scheduling;
using Gateway.Runtime.Status;
using Gateway.Runtime.Trading;
using Gateway.Runtime.Worker;
using Gateway.Market;
using Gateway.Market.Contracts;
using Gateway.Market.Decision;
using Gateway.Market.Model;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Host.Tests.Worker;

/// <summary>
/// Issue #17, the soak's open safety finding: a seller isolated between the decision and the dispatch got no setpoint,
/// while its buyer on the same branch still got hers, so her power came over the branch's line from the grid, far above
/// its limit. The round here is held between decision and dispatch by the operator's acknowledgement (requireAck): the
/// test makes the seller's simulator answer every request with exception 06 until the poller isolates it, then
/// acknowledges. Real simulators over Modbus TCP on loopback; the line flows are recomputed from what was dispatched.
/// </summary>
public sealed class DispatchRecheckTests
{
    // ev-a (n2) sells, ev-c (n2) buys beside it; L12 (to n2) is 3 kW, far below ev-c's charging power. The PV (on n3) has no sun yet.
    private static string Yaml => EndToEndRig.Yaml
        .Replace("start: 2026-06-01T11:00:00Z", "start: 2026-06-01T10:00:00Z")
        .Replace("{ id: pv-a, kind: pv-inverter, node: n2,", "{ id: pv-a, kind: pv-inverter, node: n3,")
        .Replace("sunrise: \"06:00\"", "sunrise: \"19:00\"")
        // Cheap battery wear: cars trade with each other.
        .Replace("  readBackSeconds: 5", "  readBackSeconds: 5\n  economics: { evChargingPricePerKwh: 0.2, batteryWearPerTrade: 0, batteryDegradationPerKwh: 0, distanceToChargerKm: 0.1 }")
        .Replace("timeScale: 300", "timeScale: 60")
        .Replace("{ id: L12, from: n1, to: n2, limitKw: 40 }", "{ id: L12, from: n1, to: n2, limitKw: 3 }")
        .Replace("{ id: L13, from: n1, to: n3, limitKw: 3 }", "{ id: L13, from: n1, to: n3, limitKw: 30 }")
        + """

        operator:
          requireAck: true
          ackDeadlineSeconds: 60
          auth:
            tokens: [ { operator: e2e.tester, sha256: "0000000000000000000000000000000000000000000000000000000000000000" } ]
        """;

    [Fact]
    public async Task A_seller_isolated_after_the_decision_has_its_buyers_curtailed_so_no_line_exceeds_its_limit()
    {
        await using var held = await HeldRound.StartAsync(isolateAfterFailures: 2);
        var (rig, definition, runtime, tick, roundId, round, cleared) = (held.Rig, held.Definition, held.Runtime, held.Tick, held.RoundId, held.Round, held.Cleared);

        // The seller stops answering after the decision; the poller isolates it before the operator acknowledges.
        var evA = rig.Sims.Rig.Find("ev-a")!;
        evA.Faults.Current = new ModbusFault(ModbusFaultKind.Exception, ExceptionCode: ModbusExceptionCode.ServerDeviceBusy);
        var link = runtime.Links.Single(l => l.Device.Id == "ev-a");
        await WaitForAsync(() => link.State == DeviceLinkState.Isolated ? "isolated" : null, "ev-a isolated", tick);

        // What the runner dispatched before the re-check: the cleared decision's setpoints without the isolated seller.
        var unchecked_ = runtime.Runner.Planner.Setpoints(cleared, round, runtime.Links);
        Assert.DoesNotContain(unchecked_, s => s.DeviceId == "ev-a");
        var overBefore = Overloads(definition, unchecked_.Select(s => (s.DeviceId, s.SetpointKw)));
        Assert.True(overBefore.Any(o => o.StartsWith("L12", StringComparison.Ordinal)), "before the re-check L12 would be overloaded; setpoints: "
            + string.Join(", ", unchecked_.Select(s => $"{s.DeviceId} {s.SetpointKw:0.###}")) + "; trades: " + string.Join(", ", cleared.Trades.Select(t => $"{t.SellerId}->{t.BuyerId} {t.EnergyKwh:0.##} kWh {t.Status}")));

        Assert.True(runtime.Board.Acknowledge(new OperatorAck(roundId, "e2e.tester", "test")));
        var outcome = await tick.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(roundId, outcome.RoundId);

        // Dispatched: every line within its limit, from the journal's setpoints (ev-a at its fail-safe 0 kW).
        var setpoints = runtime.Journal.Setpoints(roundId);
        Assert.Empty(Overloads(definition, setpoints.Where(s => s.Status != SetpointStatus.Skipped).Select(s => (s.DeviceId, s.SetpointKw))));
        // The re-check is journaled: ev-a's failure, its trades cancelled, the buyer's setpoint changed with why.
        var failure = Assert.Single(runtime.Journal.DispatchFailures(roundId));
        Assert.Equal(("ev-a", 0.0, 0.0), (failure.ParticipantId, failure.MinPowerKw, failure.MaxPowerKw));
        var executedBefore = cleared.Trades.Where(t => t.Status == TradeStatus.Executed).Select(t => (t.BuyerId, t.SellerId)).ToHashSet();
        Assert.All(outcome.Decision.Trades.Where(t => (t.SellerId == "ev-a" || t.BuyerId == "ev-a") && executedBefore.Contains((t.BuyerId, t.SellerId))), t =>
        {
            Assert.Equal(TradeStatus.Failed, t.Status);
            Assert.Contains("ev-a cannot be dispatched", t.CancelledBecause);
        });
        var evC = setpoints.Single(s => s.DeviceId == "ev-c");
        Assert.Equal(SetpointStatus.Confirmed, evC.Status);
        // No settlement for a cancelled trade.
        Assert.DoesNotContain(outcome.Settlements, s => s.PayeeId == "ev-a" || s.PayerId == "ev-a");
        // Resumed from the journal, the round comes back with the same re-checked decision.
        var failures = runtime.Journal.DispatchFailures(roundId);
        Assert.Equal(DecisionJson.Serialize(outcome.Decision), DecisionJson.Serialize(new MarketCore().Recheck(round, cleared, failures)));
    }

    [Fact]
    public async Task A_buyer_already_told_to_charge_is_told_the_curtailed_value_when_its_seller_refuses_the_setpoint()
    {
        // The poller would take a long time to isolate ev-a: its setpoint write is what fails.
        await using var held = await HeldRound.StartAsync(isolateAfterFailures: 1000);
        var (rig, definition, runtime, tick, roundId, round, cleared) = (held.Rig, held.Definition, held.Runtime, held.Tick, held.RoundId, held.Round, held.Cleared);
        var planned = runtime.Runner.Planner.Setpoints(cleared, round, runtime.Links).ToDictionary(s => s.DeviceId, s => s.SetpointKw);

        rig.Sims.Rig.Find("ev-a")!.Faults.Current = new ModbusFault(ModbusFaultKind.Exception, ExceptionCode: ModbusExceptionCode.ServerDeviceBusy);
        Assert.True(runtime.Board.Acknowledge(new OperatorAck(roundId, "e2e.tester", "test")));
        var outcome = await tick.WaitAsync(TimeSpan.FromSeconds(60));

        var setpoints = runtime.Journal.Setpoints(roundId).ToDictionary(s => s.DeviceId);
        Assert.Equal(SetpointStatus.Missed, setpoints["ev-a"].Status);
        // ev-c was written the cleared value first (in parallel with ev-a), then the re-checked one.
        var superseded = runtime.Journal.SupersededSetpoints(roundId).Where(s => s.Setpoint.DeviceId == "ev-c").ToList();
        var first = Assert.Single(superseded);
        Assert.Equal(planned["ev-c"], first.Setpoint.SetpointKw, 6);
        Assert.Contains("ev-a cannot be dispatched", first.RevisedBecause);
        Assert.Equal(SetpointStatus.Confirmed, setpoints["ev-c"].Status);
        Assert.True(setpoints["ev-c"].SetpointKw > planned["ev-c"] + 1e-6, $"ev-c still charges {setpoints["ev-c"].SetpointKw} kW (planned {planned["ev-c"]})");
        // ev-a refused the write (exception 06): it stays at its fail-safe 0 kW, and every line holds so.
        Assert.StartsWith("the device refused", setpoints["ev-a"].Detail);
        Assert.Equal(Gateway.Drivers.Devices.DeviceErrorKind.Refused, setpoints["ev-a"].ErrorKind);
        Assert.Equal((0.0, 0.0), (runtime.Journal.DispatchFailures(roundId).Single().MinPowerKw, runtime.Journal.DispatchFailures(roundId).Single().MaxPowerKw));
        Assert.Empty(Overloads(definition, setpoints.Values.Where(s => s.DeviceId != "ev-a").Select(s => (s.DeviceId, s.SetpointKw))));
        Assert.DoesNotContain(outcome.Settlements, s => s.PayeeId == "ev-a" || s.PayerId == "ev-a");
        // The device received the curtailed value (the simulator's own register).
        Assert.Equal(setpoints["ev-c"].SetpointKw, setpoints["ev-c"].ReadBackKw!.Value, 1);
    }

    /// <summary>
    /// The gateway on the simulators with a round decided and held for the operator's acknowledgement, in which ev-a
    /// sells to ev-c (asserted). Disposing stops the gateway, then the simulators.
    /// </summary>
    private sealed class HeldRound : IAsyncDisposable
    {
        private HeldRound(EndToEndRig rig, RigDefinition definition, GatewayRuntime runtime, Task<RoundOutcome> tick, string roundId, MarketRound round, RoundDecision cleared) =>
            (Rig, Definition, Runtime, Tick, RoundId, Round, Cleared) = (rig, definition, runtime, tick, roundId, round, cleared);

        public EndToEndRig Rig { get; }

        public RigDefinition Definition { get; }

        public GatewayRuntime Runtime { get; }

        /// <summary>The round being run (held until acknowledged).</summary>
        public Task<RoundOutcome> Tick { get; }

        public string RoundId { get; }

        /// <summary>The round's journaled input.</summary>
        public MarketRound Round { get; }

        /// <summary>The market's decision on it before any re-check.</summary>
        public RoundDecision Cleared { get; }

        public static async Task<HeldRound> StartAsync(int isolateAfterFailures)
        {
            var rig = await EndToEndRig.StartAsync(Yaml);
            GatewayRuntime? runtime = null;
            try
            {
                var definition = rig.Load();
                var clock = new AcceleratedTimeProvider(rig.Sims.Rig.Clock.Now, definition.TimeScale);
                runtime = await GatewayRuntime.StartAsync(definition, NullLoggerFactory.Instance, rig.Endpoints, clock,
                    new DevicePollerOptions { AttemptTimeout = TimeSpan.FromSeconds(2), IsolateAfterFailures = isolateAfterFailures });
                await runtime.WaitForFirstPollAsync(TimeSpan.FromSeconds(15));

                var journal = runtime.Journal;
                var tick = runtime.TickAsync();
                var roundId = await WaitForAsync(() => journal.OpenRounds().FirstOrDefault(r => r.State == RoundState.Decided)?.RoundId, "a decided round", tick);
                var round = RoundJson.Parse(journal.Get(roundId)!.InputJson);
                var cleared = new MarketCore().Clear(round);
                Assert.True(cleared.Trades.Any(t => t.Status == TradeStatus.Executed && t.SellerId == "ev-a" && t.BuyerId == "ev-c"),
                    "precondition: ev-a sells to ev-c; quotes: " + string.Join(", ", round.Participants.Select(q => $"{q.Id} {q.Role} {q.EnergyKwh:0.##}")) + " candidates " + cleared.Candidates.Count + " warnings " + string.Join("; ", cleared.Warnings) + "; trades: " + string.Join(", ", cleared.Trades.Select(t => $"{t.SellerId}->{t.BuyerId} {t.EnergyKwh:0.##} kWh {t.Status}")));
                return new HeldRound(rig, definition, runtime, tick, roundId, round, cleared);
            }
            catch
            {
                if (runtime is not null) await runtime.DisposeAsync();
                await rig.DisposeAsync();
                throw;
            }
        }

        public async ValueTask DisposeAsync()
        {
            await Runtime.DisposeAsync();
            await Rig.DisposeAsync();
        }
    }

    /// <summary>Lines whose flow (radial feeder, base loads served from the root) exceeds the limit with these device powers.</summary>
    internal static List<string> Overloads(RigDefinition rig, IEnumerable<(string DeviceId, double Kw)> powers)
    {
        var injection = rig.Feeder.Nodes.ToDictionary(n => n.Id, n => -n.BaseLoadKw, StringComparer.Ordinal);
        foreach (var (id, kw) in powers)
            injection[rig.Devices.Single(d => d.Id == id).NodeId] += kw;
        var over = new List<string>();
        foreach (var line in rig.Feeder.Lines)
        {
            var flow = Subtree(rig, line.ToNodeId).Sum(n => injection[n]);
            if (Math.Abs(flow) > line.LimitKw + 1e-6) over.Add($"{line.Id}: {flow:0.###} kW over {line.LimitKw} kW");
        }
        return over;
    }

    private static IEnumerable<string> Subtree(RigDefinition rig, string node) =>
        rig.Feeder.Lines.Where(l => l.FromNodeId == node).SelectMany(l => Subtree(rig, l.ToNodeId)).Prepend(node);

    private static async Task<string> WaitForAsync(Func<string?> probe, string what, Task running)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < until)
        {
            if (probe() is { } found) return found;
            if (running.IsCompleted) await running; // surfaces the round's failure
            await Task.Delay(20);
        }
        throw new TimeoutException($"waited 60 s for {what}");
    }
}
