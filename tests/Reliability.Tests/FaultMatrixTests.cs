using Gateway.Drivers.Modbus;
using Gateway.Runtime.Journal;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace Gateway.Reliability.Tests;

/// <summary>
/// The fault matrix: the real gateway process against the simulators, one fault at a time, each a counted test.
/// Every run trades a round with every setpoint confirmed first, then suffers the fault for a few rounds, then is healed
/// and must dispatch a round begun after the heal with every setpoint confirmed; then it is stopped (SIGTERM) and the audit counts, from the journal, the ledger and the
/// devices' own write log, what was lost, doubled or over a limit (all must be 0) and how long recovery took.
/// </summary>
[Trait(PeerTraits.Name, PeerTraits.Mosquitto)]
[Collection(FaultMatrixCollection.Name)]
[Trait("Category", "FaultMatrix")]
public sealed class FaultMatrixTests(ITestOutputHelper output)
{
    /// <summary>Rounds the fault lasts, counted as rounds the gateway begins while it is on.</summary>
    private const int FaultRounds = 3;

    /// <summary>What the last run's gateway printed, for assertions on what it noticed.</summary>
    private string _lastGatewayOutput = "";

    private static int Seed => int.TryParse(Environment.GetEnvironmentVariable("RELIABILITY_SEED"), out var s) ? s : 17;

    [Fact]
    public async Task Device_slow_answers_late_and_nothing_is_lost_or_doubled()
    {
        await using var site = await MatrixSite.StartAsync(new MatrixSiteOptions { Seed = Seed });
        var proxy = site.Proxies["ev-b"];
        var row = await RunAsync(site, "device slow", "ev-b answers 600–900 ms late (proxy delay + jitter)",
            inject: () => { proxy.ToClient.Delay = TimeSpan.FromMilliseconds(600); proxy.ToClient.Jitter = TimeSpan.FromMilliseconds(300); return Task.CompletedTask; },
            heal: () => { proxy.ToClient.Clear(); return Task.CompletedTask; });
        Assert.True(proxy.Counters.FramesDelayed > 0, "the proxy delayed nothing");
        AssertBounded(row);
    }

    [Fact]
    public async Task Device_silent_is_isolated_then_readmitted_and_nothing_is_lost_or_doubled()
    {
        await using var site = await MatrixSite.StartAsync(new MatrixSiteOptions { Seed = Seed });
        var proxy = site.Proxies["ev-b"];
        var row = await RunAsync(site, "device silent", "ev-b's link partitioned (no byte either way)",
            inject: () => { proxy.Partition(); return Task.CompletedTask; },
            heal: () => { proxy.Heal(); return Task.CompletedTask; });
        AssertNoticed(row, "ev-b", "a silent device");
        AssertBounded(row);
    }

    [Fact]
    public async Task Device_flapping_between_silent_and_healthy_loses_and_doubles_nothing()
    {
        await using var site = await MatrixSite.StartAsync(new MatrixSiteOptions { Seed = Seed });
        var proxy = site.Proxies["ev-b"];
        var random = new Random(Seed);
        using var stop = new CancellationTokenSource();
        var flaps = 0;
        Task? flapping = null;
        var row = await RunAsync(site, "device flapping", "ev-b's link partitioned and healed every 0.2–1.2 s (seeded)",
            inject: () =>
            {
                flapping = Task.Run(async () =>
                {
                    while (!stop.IsCancellationRequested)
                    {
                        if (flaps % 2 == 0) proxy.Partition(); else proxy.Heal();
                        flaps++;
                        try { await Task.Delay(TimeSpan.FromMilliseconds(200 + random.Next(1000)), stop.Token); } catch (OperationCanceledException) { }
                    }
                });
                return Task.CompletedTask;
            },
            heal: async () => { await stop.CancelAsync(); await flapping!; proxy.Heal(); });
        output.WriteLine($"flaps: {flaps}");
        Assert.True(flaps >= 2, "the link did not flap");
        AssertBounded(row);
    }

    [Fact]
    public async Task Device_answering_with_a_Modbus_exception_loses_and_doubles_nothing()
    {
        await using var site = await MatrixSite.StartAsync(new MatrixSiteOptions { Seed = Seed });
        var device = site.Device("ev-b");
        var row = await RunAsync(site, "Modbus exception", "ev-b answers every request with exception 06 (server busy)",
            inject: () => { device.Faults.Current = new ModbusFault(ModbusFaultKind.Exception, ExceptionCode: ModbusExceptionCode.ServerDeviceBusy); return Task.CompletedTask; },
            heal: () => { device.Faults.Current = ModbusFault.None; return Task.CompletedTask; });
        Assert.True(device.Faults.FaultsShown > 0, "the device showed no exception");
        AssertNoticed(row, "ev-b", "the exceptions");
        AssertBounded(row);
    }

    [Fact]
    public async Task Garbled_frames_from_a_device_are_refused_and_nothing_is_lost_or_doubled()
    {
        await using var site = await MatrixSite.StartAsync(new MatrixSiteOptions { Seed = Seed });
        var proxy = site.Proxies["ev-b"];
        var smes = site.Proxies["smes-a"];
        var row = await RunAsync(site, "garbled frame", "half of ev-b's and the SMES's answers get one bit flipped (seeded)",
            inject: () => { proxy.ToClient.CorruptProbability = 0.5; smes.ToClient.CorruptProbability = 0.5; return Task.CompletedTask; },
            heal: () => { proxy.ToClient.Clear(); smes.ToClient.Clear(); return Task.CompletedTask; });
        Assert.True(proxy.Counters.FramesCorrupted + smes.Counters.FramesCorrupted > 0, "no frame was corrupted");
        AssertBounded(row);
    }

    [Fact]
    public async Task Disconnect_in_the_middle_of_a_frame_loses_and_doubles_nothing()
    {
        await using var site = await MatrixSite.StartAsync(new MatrixSiteOptions { Seed = Seed });
        var ev = site.Proxies["ev-b"];
        var smes = site.Proxies["smes-a"];
        var row = await RunAsync(site, "disconnect mid-frame", "ev-b's and the SMES's next 40 requests and 40 answers cut after half a frame, then reset",
            inject: () => { foreach (var p in new[] { ev, smes }) { p.ToClient.CutNext(40); p.ToServer.CutNext(40); } return Task.CompletedTask; },
            heal: () => { ev.ToClient.Clear(); ev.ToServer.Clear(); smes.ToClient.Clear(); smes.ToServer.Clear(); return Task.CompletedTask; });
        Assert.True(ev.Counters.FramesCut + smes.Counters.FramesCut > 0, "no frame was cut");
        AssertBounded(row);
    }

    [Fact]
    public async Task Broker_restart_under_MQTT_devices_loses_and_doubles_nothing()
    {
        await using var broker = await MosquittoBroker.StartAsync(new MosquittoSettings { Persistence = true });
        await using var site = await MatrixSite.StartAsync(new MatrixSiteOptions { Seed = Seed, MqttPort = broker.Port });
        var row = await RunAsync(site, "broker restart", "mosquitto (serving ev-a and the SMES over MQTT) killed with SIGKILL, restarted on the same port after the fault rounds",
            inject: () => { broker.Kill(); return Task.CompletedTask; },
            heal: () => broker.RestartAsync());
        Assert.True(row.RoundsAffected >= 1, "the broker's absence left no trace in the journal");
        AssertBounded(row);
    }

    [Fact]
    public async Task Ledger_unavailable_for_longer_than_an_interval_keeps_settlements_in_the_outbox_and_loses_none()
    {
        await using var site = await MatrixSite.StartAsync(new MatrixSiteOptions { Seed = Seed });
        SqliteConnection? holder = null;
        var maxPending = 0;
        double? releasedAt = null;
        var row = await RunAsync(site, "ledger down", "the embedded ledger's database held under an exclusive lock by another process for 3+ intervals (commits fail: busy)",
            inject: () =>
            {
                holder = new SqliteConnection($"Data Source={site.LedgerPath};Pooling=False;Default Timeout=30");
                holder.Open();
                using var cmd = holder.CreateCommand();
                cmd.CommandText = "BEGIN EXCLUSIVE";
                cmd.ExecuteNonQuery();
                return Task.CompletedTask;
            },
            heal: () =>
            {
                maxPending = Math.Max(maxPending, Pending(site));
                holder!.Dispose();
                releasedAt = site.Writes.Now;
                return Task.CompletedTask;
            },
            recovery: a => releasedAt is null ? (null, "not released") : (LedgerCaughtUpAt - releasedAt.Value, "outbox drained onto the ledger"),
            afterHeal: async () =>
            {
                await Waits.UntilAsync(() => Pending(site) == 0, Waits.Long, "the outbox drained onto the ledger");
                LedgerCaughtUpAt = site.Writes.Now;
            });
        output.WriteLine($"settlements waiting in the outbox when the ledger came back: {maxPending}");
        Assert.True(maxPending > 0, "no settlement waited for the ledger: the fault did not bite");
        AssertBounded(row);
    }

    [Fact]
    public async Task Ledger_peer_down_for_longer_than_an_interval_keeps_settlements_in_the_outbox_and_loses_none()
    {
        await using var fabric = await MatrixFabricPeer.StartAsync();
        await using var site = await MatrixSite.StartAsync(new MatrixSiteOptions { Seed = Seed, Fabric = fabric });
        var peer = fabric.Peer;
        var interval = TimeSpan.FromSeconds(site.Rig.Market.Interval.TotalSeconds / site.Rig.TimeScale);
        var down = new System.Diagnostics.Stopwatch();
        var begun = 0;
        var waited = 0;
        var callsWhileDown = 0;
        double? upAt = null;
        Task<double>? drained = null;
        double? drainedAt = null;
        var row = await RunAsync(site, "ledger peer down",
            "the Fabric ledger peer (three channels, over TLS) stopped, connections refused, for 3+ intervals; restarted on its port with its ledger",
            inject: async () =>
            {
                begun = site.RoundsAtLeast(RoundState.Decided);
                await peer.GoDownAsync();
                down.Start();
                // Counted once the server is gone: a call cut by the stop was counted when it arrived, before.
                callsWhileDown = peer.CallCounts.Values.Sum();
            },
            // Rounds alone could end a little short of three intervals (the first may begin just after the peer went
            // down); the outage must outlast them in wall time, the clock the gateway's ledger deadlines run on.
            during: () => Waits.UntilAsync(() => site.RoundsAtLeast(RoundState.Decided) >= begun + FaultRounds && down.Elapsed > 3 * interval,
                Waits.Long, $"{FaultRounds} rounds and 3 intervals with the peer down"),
            heal: async () =>
            {
                waited = Pending(site);
                callsWhileDown = peer.CallCounts.Values.Sum() - callsWhileDown;
                await peer.ComeBackAsync();
                down.Stop();
                upAt = site.Writes.Now;
                // Watched from the restart on, not after the round the heal waits for, so the time is when it happened.
                drained = Task.Run(async () =>
                {
                    await Waits.UntilAsync(() => Pending(site) == 0, Waits.Long, "the outbox drained onto the restarted peer");
                    return site.Writes.Now;
                });
            },
            afterHeal: async () => drainedAt = await drained!,
            recovery: _ => upAt is null || drainedAt is null ? (null, "the peer did not come back") : (drainedAt.Value - upAt.Value, "outbox drained onto the peer"));
        output.WriteLine($"peer down {down.Elapsed.TotalSeconds:0.0} s ({down.Elapsed / interval:0.0} intervals); settlements waiting in the outbox when it came back: {waited}; "
            + $"calls it answered while down: {callsWhileDown}; blocks on {MatrixFabricPeer.SettlementChannel}: {peer.BlockHeightOf(MatrixFabricPeer.SettlementChannel)}");
        Assert.True(waited > 0, "no settlement waited for the peer: the outage did not bite");
        Assert.Equal(0, callsWhileDown);
        AssertBounded(row);
    }

    private double LedgerCaughtUpAt { get; set; }

    /// <summary>Settlements queued in the journal but not yet on the ledger: the journal's outbox against the ledger's own record.</summary>
    private static int Pending(MatrixSite site)
    {
        var ledger = site.LedgerSettlements().Select(s => s.SettlementId).ToHashSet();
        return JournalView.Outbox(site.JournalPath).Count(s => !ledger.Contains(s.SettlementId));
    }

    /// <summary>
    /// A confirmed round, the fault for <see cref="FaultRounds"/> rounds, heal, a confirmed round begun after it, SIGTERM (which
    /// finishes that round); then the audit.
    /// </summary>
    internal async Task<FaultRow> RunAsync(MatrixSite site, string fault, string injected, Func<Task> inject, Func<Task> heal,
        Func<RunAudit, (double?, string?)>? recovery = null, Func<Task>? afterHeal = null, Func<Task>? during = null)
    {
        output.WriteLine($"{fault}: seed {Seed} (RELIABILITY_SEED to repeat)");
        var phases = System.Diagnostics.Stopwatch.StartNew();
        void Phase(string what) => output.WriteLine($"{phases.Elapsed.TotalSeconds,6:0.0} s  {what}");
        using var gateway = site.RunGateway();
        // One round dispatched with every setpoint confirmed shows the site trading before the fault; the audit counts the
        // whole run either way (that round's metering may fall under the fault: it is the one in progress that
        // AssertBounded allows), and recovery is measured from the heal.
        await Waits.UntilAsync(() => site.ConfirmedRounds() >= 1, Waits.Long, "a confirmed round before the fault", gateway);
        Phase("gateway started, a confirmed round");
        var begun = site.RoundsAtLeast(RoundState.Decided);
        await inject();
        var injectedAt = site.Writes.Now;
        if (during is not null) await during();
        else await Waits.UntilAsync(() => site.RoundsAtLeast(RoundState.Decided) >= begun + FaultRounds, Waits.Long, $"{FaultRounds} rounds under the fault", gateway);
        Phase($"{FaultRounds} rounds under the fault");
        await heal();
        var healedAt = site.Writes.Now;
        // Recovered: a round the journal did not hold at the heal (none of its setpoints went out under the fault) that set
        // every device and had each setpoint confirmed. Counting closed clean rounds after the heal needed two, as the first could have been
        // dispatched before it; and the stop below finishes this round (metered, settled) rather than the next one.
        var beforeHeal = site.RoundIds();
        await Waits.UntilAsync(() => site.ConfirmedRounds(notAmong: beforeHeal) >= 1, Waits.Long, "a round begun after the heal, every device set and confirmed", gateway);
        Phase("healed, a confirmed round begun after it");
        if (afterHeal is not null) await afterHeal();
        gateway.Terminate();
        _lastGatewayOutput = gateway.Output;
        Assert.True(await gateway.WaitForExitAsync(TimeSpan.FromSeconds(90)), "the gateway did not stop on SIGTERM:\n" + gateway.Output);
        Assert.True(gateway.ExitCode == 0, $"the gateway exited {gateway.ExitCode}:\n{gateway.Output}");
        // A round that failed half-way (its journal write refused) stays open until the next start, as `gateway run`
        // says; start once more, as an operator would, so that it is resumed before the audit counts.
        var open = JournalView.Rounds(site.JournalPath).Count(r => r.State != RoundState.Closed);
        if (open > 0)
        {
            using var resume = site.RunGateway(rounds: 1);
            Assert.True(await resume.WaitForExitAsync(TimeSpan.FromSeconds(120)), "the restarted gateway did not finish:\n" + resume.Output);
            Assert.True(resume.ExitCode == 0, $"the restarted gateway exited {resume.ExitCode}:\n{resume.Output}");
            output.WriteLine($"{open} round(s) left open by the fault, resumed by the next start");
        }
        Phase("stopped (SIGTERM)");
        var (verified, verifyOutput) = await site.VerifyLedgerAsync();
        Assert.True(verified, verifyOutput);
        Phase("ledger verified");
        var audit = site.Audit();
        var row = audit.Count(fault, injected, Seed, verified, recovery ?? (a => a.RecoveryAfter(healedAt, beforeHeal))) with
        {
            IntervalsUnderFault = (int)Math.Ceiling((healedAt - injectedAt) * site.Rig.TimeScale / site.Rig.Market.Interval.TotalSeconds),
            OpenAfterStop = open,
        };
        row.Publish(output);
        Phase("audited");
        row.AssertSafe();
        return row;
    }

    /// <summary>
    /// The gateway noticed a device fault: a round the journal shows affected, or its own report that it degraded or
    /// isolated the device. A device that happened to have no trade while it was faulty leaves the journal untouched
    /// (no setpoint was owed to it), so the journal alone cannot tell "noticed" from "ignored".
    /// </summary>
    private void AssertNoticed(FaultRow row, string deviceId, string what)
    {
        var reported = _lastGatewayOutput.Contains($"device {deviceId} degraded", StringComparison.Ordinal)
            || _lastGatewayOutput.Contains($"device {deviceId} isolated", StringComparison.Ordinal);
        Assert.True(row.RoundsAffected >= 1 || reported,
            $"{what} left no trace: no round affected in the journal and the gateway never reported {deviceId} degraded or isolated");
    }

    /// <summary>
    /// The fault's damage is bounded: at most the intervals that began while it was on, the one in progress when it
    /// began, and two to recover; and the site is fully dispatched again within a bounded time.
    /// </summary>
    internal static void AssertBounded(FaultRow row)
    {
        Assert.True(row.RoundsAffected <= row.IntervalsUnderFault + 3, $"{row.Fault}: {row.RoundsAffected} of {row.Rounds} rounds affected, {row.IntervalsUnderFault} intervals under the fault");
        Assert.True(row.RecoverySeconds is { } s && s <= 60, $"{row.Fault}: recovery {row.RecoverySeconds?.ToString() ?? "never"} s ({row.RecoveryNote})");
    }
}

/// <summary>The matrix runs one fault at a time: each run is a whole site, and a quiet machine counts more cleanly.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FaultMatrixCollection
{
    public const string Name = "fault matrix";
}
