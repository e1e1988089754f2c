using System.Diagnostics;
using Gateway.Runtime.Devices;
using Gateway.Runtime.Journal;
using Gateway.Rigs;
using Gateway.Runtime.Scheduling;
using Gateway.Runtime.Status;
using Gateway.Host.Tests.Operator;
using Gateway.Runtime.Worker;
using Gateway.LedgerClient.Embedded;
using Gateway.Drivers.Modbus;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Gateway.Testing;

namespace Gateway.Host.Tests.Worker;

/// <summary>
/// The whole gateway against the real simulators over loopback Modbus: several rounds with a
/// congested line, every setpoint within device and feeder limits, energy balance, settlements
/// on metered energy, a silent device isolated, and a kill -9 mid-round that loses and
/// duplicates nothing.
/// </summary>
[Trait(PeerTraits.Name, PeerTraits.Mosquitto)]
[Collection(RealTimeEndToEndCollection.Name)]
public sealed class GatewayEndToEndTests
{
    private const double ToleranceKwh = 0.02;

    private static async Task<GatewayRuntime> StartGatewayAsync(EndToEndRig rig, RigDefinition definition)
    {
        // The gateway's clock starts where the simulators' clock is now, at the same pace.
        var clock = new AcceleratedTimeProvider(rig.Sims.Rig.Clock.Now, definition.TimeScale);
        var runtime = await GatewayRuntime.StartAsync(definition, NullLoggerFactory.Instance, rig.Endpoints, clock,
            new DevicePollerOptions { AttemptTimeout = TimeSpan.FromSeconds(2), IsolateAfterFailures = 2 });
        await runtime.WaitForFirstPollAsync(TimeSpan.FromSeconds(10));
        return runtime;
    }

    [Fact]
    public async Task Rounds_over_loopback_Modbus_respect_every_limit_balance_energy_and_settle_on_metered_energy()
    {
        await using var rig = await EndToEndRig.StartAsync();
        var definition = rig.Load();
        var outcomes = new List<RoundOutcome>();
        await using (var runtime = await StartGatewayAsync(rig, definition))
        {
            for (var i = 0; i < 3; i++) outcomes.Add(await runtime.TickAsync());
            var backlog = await runtime.DrainLedgerAsync(TimeSpan.FromSeconds(20));
            Assert.Equal(0, backlog.PendingCount);
            Assert.Equal(0, backlog.DeadLetterCount);
        }

        Assert.Contains(outcomes, o => o.Decision.Trades.Count > 0);
        Assert.Contains(outcomes, o => o.Decision.Trades.Any(t => t.FailedLineId == "L13"));
        foreach (var o in outcomes)
        {
            AssertSetpointsWithinDeviceAndFeederLimits(definition, o);
            AssertEnergyBalance(definition, o);
            AssertSettlementsWithinMeteredEnergy(o);
        }

        // Loads before PV caps: in every round each PV cap was journaled, and so written, after every charger and SMES
        // setpoint, since a cap may count on those loads.
        var kinds = definition.Devices.ToDictionary(d => d.Id, d => d.Kind, StringComparer.Ordinal);
        foreach (var round in SetpointRows(definition.JournalPath).GroupBy(r => r.RoundId))
        {
            var order = round.Select(r => kinds[r.DeviceId]).ToList();
            Assert.Contains("pv-inverter", order);
            Assert.True(order.FindIndex(k => k == "pv-inverter") > order.FindLastIndex(k => k != "pv-inverter"),
                $"{round.Key}: setpoints journaled in the order {string.Join(", ", round.Select(r => r.DeviceId))}");
        }

        // Every settlement reached the ledger exactly once, and the chain is intact.
        await using var ledger = await EmbeddedLedger.OpenAsync(definition.Ledger.EmbeddedPath, TimeProvider.System);
        foreach (var o in outcomes)
        {
            var onLedger = await ledger.QueryRoundAsync(o.RoundId);
            Assert.Equal(o.Settlements.Select(s => s.SettlementId).Order(), onLedger.Select(s => s.SettlementId).Order());
        }
    }

    [Fact]
    public async Task Rounds_with_an_MQTT_charger_and_an_MQTT_SMES_beside_Modbus_devices_confirm_every_setpoint_within_limits()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var yaml = EndToEndRig.Yaml
            .Replace("""{ id: ev-a, kind: charger, node: n2, protocol: modbus-tcp, endpoint: "127.0.0.1:0", unitId: 1, profile: v2g-charger,""",
                $$"""{ id: ev-a, kind: charger, node: n2, protocol: mqtt, endpoint: "mqtt://127.0.0.1:{{broker.Port}}", profile: mqtt-charger,""")
            .Replace("""{ id: smes-a, kind: smes, node: n3, protocol: modbus-tcp, endpoint: "127.0.0.1:0", unitId: 5, profile: smes-converter,""",
                $$"""{ id: smes-a, kind: smes, node: n3, protocol: mqtt, endpoint: "mqtt://127.0.0.1:{{broker.Port}}", profile: mqtt-smes-converter,""");
        Assert.Equal(2, yaml.Split("protocol: mqtt").Length - 1);
        await using var rig = await EndToEndRig.StartAsync(yaml);
        var definition = rig.Load();
        var outcomes = new List<RoundOutcome>();
        await using (var runtime = await StartGatewayAsync(rig, definition))
        {
            Assert.All(runtime.Links, l => Assert.Equal(DeviceLinkState.Healthy, l.State));
            Assert.IsType<Gateway.Drivers.Devices.Mqtt.MqttDeviceDriver>(runtime.Links.Single(l => l.Device.Id == "smes-a").Driver);
            for (var i = 0; i < 2; i++) outcomes.Add(await runtime.TickAsync());
            var backlog = await runtime.DrainLedgerAsync(TimeSpan.FromSeconds(20));
            Assert.Equal(0, backlog.PendingCount);
            // The SMES holds the last round's setpoint while the gateway is there, and the broker shows it present.
            Assert.Equal(outcomes[^1].Setpoints.Single(s => s.DeviceId == "smes-a").ReadBackKw!.Value,
                rig.Sims.Rig.Find("smes-a")!.Image.Get("SetpointKw")!.Value, 2);
            Assert.Equal(["gw/e2e/devices/status online"], await broker.SubscribeRetainedAsync("gw/e2e/devices/status"));
        }

        // A clean stop says "offline" (a clean DISCONNECT discards the last will), and the MQTT devices drop to 0 kW.
        Assert.Equal(["gw/e2e/devices/status offline"], await broker.SubscribeRetainedAsync("gw/e2e/devices/status"));
        var smes = rig.Sims.Rig.Find("smes-a")!;
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (smes.Image.Get("SetpointKw") != 0 && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.Equal(0, smes.Image.Get("SetpointKw"));

        Assert.Contains(outcomes, o => o.Decision.Trades.Count > 0);
        foreach (var o in outcomes)
        {
            foreach (var id in new[] { "ev-a", "smes-a", "ev-b" })
            {
                var sp = Assert.Single(o.Setpoints, s => s.DeviceId == id);
                Assert.True(sp.Status == SetpointStatus.Confirmed, $"{o.RoundId}: {id} {sp.Status}");
                Assert.NotNull(sp.ReadBackKw);
            }
            Assert.DoesNotContain(o.Setpoints, s => s.Status == SetpointStatus.Missed);
            AssertSetpointsWithinDeviceAndFeederLimits(definition, o);
            AssertSettlementsWithinMeteredEnergy(o);
        }
        // The simulators took the setpoints over MQTT.
        Assert.True(rig.Sims.MqttOf("ev-a")!.CommandsApplied >= 2);
    }

    [Fact]
    public async Task Rounds_with_two_chargers_on_one_RTU_bus_confirm_every_setpoint_within_limits()
    {
        // Two chargers share one RS-485 line (unit ids 1 and 3) on a socat pseudo-terminal pair, beside TCP devices.
        var bus = Path.Combine(Path.GetTempPath(), $"gw-e2e-rtu-{Guid.NewGuid():N}");
        var yaml = EndToEndRig.Yaml
            .Replace("""{ id: ev-a, kind: charger, node: n2, protocol: modbus-tcp, endpoint: "127.0.0.1:0", unitId: 1,""",
                $$"""{ id: ev-a, kind: charger, node: n2, protocol: modbus-rtu, endpoint: "{{bus}}?baud=38400&parity=E", unitId: 1,""")
            .Replace("""{ id: ev-c, kind: charger, node: n2, protocol: modbus-tcp, endpoint: "127.0.0.1:0", unitId: 3,""",
                $$"""{ id: ev-c, kind: charger, node: n2, protocol: modbus-rtu, endpoint: "{{bus}}?baud=38400&parity=E", unitId: 3,""");
        Assert.Equal(2, yaml.Split("protocol: modbus-rtu").Length - 1);
        await using var rig = await EndToEndRig.StartAsync(yaml);
        Assert.Equal($"modbus-rtu://{bus}?baud=38400&parity=E", rig.Endpoints["ev-c"]);
        var definition = rig.Load();
        var outcomes = new List<RoundOutcome>();
        await using (var runtime = await StartGatewayAsync(rig, definition))
        {
            // A first RTU poll can outlast its 2 s attempt on a loaded machine (38,400 baud through a pty pair); the
            // next poll, 0.1 s later at ×300, heals it. What is under test is the rounds, so they start on a healthy bus.
            await Waits.UntilAsync(() => runtime.Links.All(l => l.State == DeviceLinkState.Healthy),
                () => "every device healthy: " + string.Join(", ", runtime.Links.Select(l => $"{l.Device.Id} {l.State} ({l.LastError})")), TimeSpan.FromSeconds(30));
            for (var i = 0; i < 2; i++) outcomes.Add(await runtime.TickAsync());
            var backlog = await runtime.DrainLedgerAsync(TimeSpan.FromSeconds(20));
            Assert.Equal(0, backlog.PendingCount);
        }

        Assert.Contains(outcomes, o => o.Decision.Trades.Count > 0);
        foreach (var o in outcomes)
        {
            foreach (var id in new[] { "ev-a", "ev-c" })
            {
                var sp = Assert.Single(o.Setpoints, s => s.DeviceId == id);
                Assert.True(sp.Status == SetpointStatus.Confirmed, $"{o.RoundId}: {id} {sp.Status} ({sp.SetpointKw} kW, read back {sp.ReadBackKw}): {sp.Detail}");
            }
            Assert.DoesNotContain(o.Setpoints, s => s.Status == SetpointStatus.Missed);
            AssertSetpointsWithinDeviceAndFeederLimits(definition, o);
            AssertSettlementsWithinMeteredEnergy(o);
        }
    }

    [Fact]
    public async Task A_device_that_goes_silent_is_isolated_and_the_rest_of_the_market_goes_on()
    {
        await using var rig = await EndToEndRig.StartAsync();
        var definition = rig.Load();
        await using var runtime = await StartGatewayAsync(rig, definition);
        var first = await runtime.TickAsync();
        Assert.Contains(first.Setpoints, s => s.DeviceId == "ev-b" && s.Status == SetpointStatus.Confirmed);

        rig.Sims.Rig.Find("ev-b")!.Faults.Current = new ModbusFault(ModbusFaultKind.NoAnswer);
        var deadline = Stopwatch.StartNew();
        while (runtime.Links.Single(l => l.Device.Id == "ev-b").State != DeviceLinkState.Isolated && deadline.Elapsed < TimeSpan.FromSeconds(20))
            await Task.Delay(100);
        Assert.Equal(DeviceLinkState.Isolated, runtime.Links.Single(l => l.Device.Id == "ev-b").State);

        var next = await runtime.TickAsync();
        Assert.DoesNotContain(next.Round.Participants, q => q.Id == "ev-b");
        Assert.DoesNotContain(next.Setpoints, s => s.DeviceId == "ev-b" && s.Status == SetpointStatus.Confirmed);
        Assert.Contains(next.Setpoints, s => s.DeviceId == "ev-a" && s.Status == SetpointStatus.Confirmed);
        Assert.Equal(DeviceLinkState.Isolated, runtime.Board.Snapshot().Devices.Single(d => d.DeviceId == "ev-b").State);
    }

    [Fact]
    public async Task A_gateway_killed_mid_round_resumes_without_sending_a_setpoint_twice_or_settling_twice()
    {
        await using var rig = await EndToEndRig.StartAsync();
        var definition = rig.Load();
        var gatewayDll = Path.Combine(AppContext.BaseDirectory, "gateway.dll");
        Assert.True(File.Exists(gatewayDll), "gateway.dll is not next to the tests");
        var endpoints = rig.EndpointsFile;

        // First run: kill -9 once the first round is delivering (setpoints written, interval running).
        using (var first = StartGateway(gatewayDll, definition, endpoints, rounds: 2))
        {
            var watch = Stopwatch.StartNew();
            while (watch.Elapsed < TimeSpan.FromSeconds(60) && !first.HasExited)
            {
                if (JournalState(definition.JournalPath) is { } state && state.Rounds >= 1 && state.DeliveringOrLater) break;
                await Task.Delay(50);
            }
            Assert.False(first.HasExited, "the gateway ended before it could be killed: " + await first.StandardError.ReadToEndAsync());
            first.Kill(entireProcessTree: true);
            await first.WaitForExitAsync();
        }
        var before = SetpointRows(definition.JournalPath);
        Assert.NotEmpty(before);

        // Second run: resume the open round, then one more round.
        using (var second = StartGateway(gatewayDll, definition, endpoints, rounds: 2))
        {
            var stdout = second.StandardOutput.ReadToEndAsync();
            var stderr = second.StandardError.ReadToEndAsync();
            Assert.True(second.WaitForExit(TimeSpan.FromSeconds(90)), "the resumed gateway did not finish");
            Assert.True(second.ExitCode == 0, $"exit {second.ExitCode}\n{await stdout}\n{await stderr}");
        }

        // The setpoints of the killed round were not written again (same rows, same times).
        var after = SetpointRows(definition.JournalPath);
        var killedRound = before.Select(r => r.RoundId).Max()!;
        foreach (var row in before.Where(r => r.Status != (int)SetpointStatus.Intended))
            Assert.Contains(after, r => r == row);
        Assert.All(after.Where(r => r.RoundId == killedRound), r => Assert.NotEqual((int)SetpointStatus.Intended, r.Status));

        // Each round settled once; the ledger holds each settlement exactly once.
        using var journal = RoundJournal.Open(definition.JournalPath, TimeProvider.System);
        var rounds = journal.AllRounds();
        Assert.True(rounds.Count >= 2);
        Assert.All(rounds, r => Assert.Equal(RoundState.Closed, r.State));
        await using var ledger = await EmbeddedLedger.OpenAsync(definition.Ledger.EmbeddedPath, TimeProvider.System);
        foreach (var r in rounds)
        {
            var ids = (await ledger.QueryRoundAsync(r.RoundId)).Select(s => s.SettlementId).ToList();
            Assert.Equal(ids.Distinct().Count(), ids.Count);
            var queued = OutboxIds(definition.JournalPath, r.RoundId);
            Assert.Equal(queued.Order(), ids.Order());
        }
    }

    private static Process StartGateway(string dll, RigDefinition rig, string endpoints, int rounds)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var a in new[] { dll, "run", "--rig", rig.SourceFile, "--endpoints", endpoints, "--rounds", rounds.ToString(), "--report", Path.Combine(Path.GetDirectoryName(rig.SourceFile)!, "report") })
            info.ArgumentList.Add(a);
        return Process.Start(info)!;
    }

    private static (int Rounds, bool DeliveringOrLater)? JournalState(string path)
    {
        if (!File.Exists(path)) return null;
        try
        {
            using var c = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "SELECT COUNT(*), COALESCE(MAX(state), 0) FROM rounds";
            using var r = cmd.ExecuteReader();
            r.Read();
            return (r.GetInt32(0), r.GetInt32(1) >= (int)RoundState.Delivering);
        }
        catch (SqliteException)
        {
            return null;
        }
    }

    // In the order they were journaled (rowid): a setpoint is on disk before it is written to its device.
    private static List<(string RoundId, string DeviceId, int Status, string UpdatedAt)> SetpointRows(string path)
    {
        using var c = new SqliteConnection($"Data Source={path};Pooling=False");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT round_id, device_id, status, updated_at FROM setpoints ORDER BY rowid";
        using var r = cmd.ExecuteReader();
        var rows = new List<(string, string, int, string)>();
        while (r.Read()) rows.Add((r.GetString(0), r.GetString(1), r.GetInt32(2), r.GetString(3)));
        return rows;
    }

    private static List<string> OutboxIds(string path, string roundId)
    {
        using var c = new SqliteConnection($"Data Source={path};Pooling=False");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = $"SELECT settlement_id FROM {Gateway.LedgerClient.Outbox.SettlementOutbox.TableName} WHERE settlement_id LIKE $p";
        cmd.Parameters.AddWithValue("$p", roundId + "/%");
        using var r = cmd.ExecuteReader();
        var ids = new List<string>();
        while (r.Read()) ids.Add(r.GetString(0));
        return ids;
    }

    /// <summary>Device limits from the simulators' scenario; line flows recomputed from the setpoints and base loads.</summary>
    private static void AssertSetpointsWithinDeviceAndFeederLimits(RigDefinition rig, RoundOutcome o)
    {
        var limits = new Dictionary<string, (double Min, double Max)>
        {
            ["ev-a"] = (-11, 11), ["ev-b"] = (-7.4, 7.4), ["ev-c"] = (-7.4, 7.4), ["smes-a"] = (-50, 50), ["pv-a"] = (0, 12),
        };
        foreach (var s in o.Setpoints.Where(s => s.Status == SetpointStatus.Confirmed))
        {
            var (min, max) = limits[s.DeviceId];
            Assert.InRange(s.SetpointKw, min - 1e-6, max + 1e-6);
        }
        var injection = rig.Feeder.Nodes.ToDictionary(n => n.Id, n => -n.BaseLoadKw);
        foreach (var s in o.Setpoints.Where(s => s.Status == SetpointStatus.Confirmed))
            injection[rig.Devices.Single(d => d.Id == s.DeviceId).NodeId] += s.SetpointKw;
        foreach (var line in rig.Feeder.Lines)
        {
            var flowKw = Subtree(rig.Feeder, line.ToNodeId).Sum(n => injection[n]);
            Assert.True(Math.Abs(flowKw) <= line.LimitKw + 1e-6, $"{o.RoundId}: line {line.Id} carries {flowKw:0.###} kW over its {line.LimitKw} kW limit");
        }
    }

    /// <summary>
    /// What the devices metered adds up to what the site meter saw (minus the meter's own base
    /// load, none here). The tolerance is the meter's: the counters are read a few milliseconds
    /// apart, which at 300× time is seconds of simulated flow.
    /// </summary>
    private static void AssertEnergyBalance(RigDefinition rig, RoundOutcome o)
    {
        var devices = rig.Devices.Where(d => d.Kind != "meter").Sum(d => o.MeteredNetExportKwh.GetValueOrDefault(d.ParticipantId));
        var meter = o.MeteredNetExportKwh.GetValueOrDefault("meter-a");
        var gross = rig.Devices.Where(d => d.Kind != "meter").Sum(d => Math.Abs(o.MeteredNetExportKwh.GetValueOrDefault(d.ParticipantId)));
        Assert.True(Math.Abs(devices - meter) <= ToleranceKwh + 0.05 * gross,
            $"{o.RoundId}: devices metered {devices:0.####} kWh net export, the site meter {meter:0.####} kWh");
    }

    private static void AssertSettlementsWithinMeteredEnergy(RoundOutcome o)
    {
        foreach (var group in o.Settlements.GroupBy(s => s.PayeeId))
        {
            var sold = group.Sum(s => (double)s.EnergyKwh);
            var metered = o.MeteredNetExportKwh.GetValueOrDefault(group.Key);
            var boughtBack = o.Settlements.Where(s => s.PayerId == group.Key).Sum(s => (double)s.EnergyKwh);
            Assert.True(sold - boughtBack <= metered + ToleranceKwh, $"{o.RoundId}: {group.Key} is paid for {sold:0.####} kWh but metered {metered:0.####} kWh");
        }
        foreach (var s in o.Settlements)
            Assert.Equal(decimal.Round(s.EnergyKwh * s.PricePerKwh, 4, MidpointRounding.AwayFromZero), s.Amount);
    }

    private static IEnumerable<string> Subtree(RigFeeder feeder, string node)
    {
        yield return node;
        foreach (var child in feeder.Lines.Where(l => l.FromNodeId == node))
            foreach (var n in Subtree(feeder, child.ToNodeId)) yield return n;
    }
}

/// <summary>
/// The end-to-end runs trade on an accelerated real-time clock against simulators over real transports (an RS-485 line on
/// a pseudo-terminal pair among them): beside the other collections on 2 cores a setpoint's read-back can miss its deadline
/// for want of CPU, not for a fault. They run alone, after the parallel collections.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RealTimeEndToEndCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "real-time end-to-end (alone)";
}
