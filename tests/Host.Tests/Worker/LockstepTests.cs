using Gateway.DeviceSims.Devices;
using Gateway.DeviceSims.Hosting;
using Gateway.Rigs;
using Gateway.Runtime.Journal;
using Gateway.Runtime.Scheduling;
using Gateway.Runtime.Worker;
using Gateway.Market.Contracts;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Host.Tests.Worker;

/// <summary>
/// The gateway in lockstep with stepped simulators (real Modbus on loopback, the simulators' clock behind their control
/// port): rounds step the plant exactly interval by interval, every setpoint is confirmed, and two runs of the same rig
/// give the same decisions, meter readings and settlements to the last digit — even with other work hammering the machine.
/// </summary>
public sealed class LockstepTests
{
    private static async Task<List<string>> RunAsync(int rounds, bool noise)
    {
        await using var bench = await LockstepBench.StartAsync(rounds);
        var (rig, sims, plant) = (bench.Rig, bench.Sims, bench.Plant);
        using var stop = new CancellationTokenSource();
        // Load beside the run: busy threads that shift every real-time delay.
        var busy = noise ? Enumerable.Range(0, 4).Select(_ => Task.Run(() => { while (!stop.IsCancellationRequested) Thread.SpinWait(10_000); })).ToArray() : [];
        var lines = new List<string>();
        try
        {
            await using var runtime = await bench.StartGatewayAsync();
            for (var k = 0; k < rounds; k++)
            {
                var before = plant.Clock.GetUtcNow();
                var outcome = await runtime.TickAsync();
                Assert.Equal(rig.StartUtc!.Value + (k + 1) * rig.Market.Interval, plant.Clock.GetUtcNow());
                Assert.Equal(plant.Clock.GetUtcNow(), sims.Clock.Now);
                Assert.All(outcome.Setpoints, s => Assert.Equal(SetpointStatus.Confirmed, s.Status));
                lines.Add(DecisionJson.Serialize(outcome.Decision));
                lines.Add(string.Join(";", outcome.MeteredNetExportKwh.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value:R}")));
                lines.Add(string.Join(";", outcome.Settlements.Select(s => $"{s.PayerId}>{s.PayeeId}:{s.EnergyKwh}:{s.Amount}")));
                Assert.True(before < plant.Clock.GetUtcNow());
            }
        }
        finally
        {
            stop.Cancel();
            await Task.WhenAll(busy);
        }

        return lines;
    }

    [Fact]
    public async Task Two_lockstep_runs_of_a_rig_give_identical_rounds_however_loaded_the_machine()
    {
        var quiet = await RunAsync(3, noise: false);
        var loaded = await RunAsync(3, noise: true);
        Assert.Equal(quiet, loaded);
        Assert.Contains(quiet, l => l.Contains("\"status\": \"executed\"", StringComparison.Ordinal));
    }

    /// <summary>
    /// Main's stop semantics in lockstep: a stop asked for between rounds is honoured before the simulators are stepped
    /// (nothing half-done, the clock where the last round ended); a round cut short by an abort while it delivers stays
    /// in the journal, and resuming it steps the plant to its interval's end and closes it instead of waiting forever
    /// for a clock nobody moves.
    /// </summary>
    [Fact]
    public async Task A_stop_between_rounds_steps_nothing_and_an_aborted_round_resumes_in_lockstep()
    {
        await using var bench = await LockstepBench.StartAsync(rounds: 4);
        var (rig, sims, plant) = (bench.Rig, bench.Sims, bench.Plant);
        {
            await using var runtime = await bench.StartGatewayAsync();
            var first = await runtime.TickAsync();
            Assert.Equal(RoundState.Closed, runtime.Journal.Get(first.RoundId)!.State);
            var end = plant.Clock.GetUtcNow();

            using (var stopping = new CancellationTokenSource())
            {
                stopping.Cancel();
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => runtime.TickAsync(CancellationToken.None, stopping.Token));
            }
            Assert.Equal(end, plant.Clock.GetUtcNow());
            Assert.Equal(end, sims.Clock.Now);
            Assert.Empty(runtime.Journal.OpenRounds());

            // Abort the next round once it waits for its interval's end (delivering): the journal keeps it open.
            var intervalEnd = end + rig.Market.Interval;
            using var abort = new CancellationTokenSource();
            plant.Clock.TimerArmed += () => { if (!abort.IsCancellationRequested && plant.Clock.NextDue() >= intervalEnd) abort.Cancel(); };
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => runtime.TickAsync(abort.Token));
            var open = Assert.Single(runtime.Journal.OpenRounds());
            Assert.Equal(RoundState.Delivering, open.State);
            Assert.True(plant.Clock.GetUtcNow() < intervalEnd);

            var resumed = Assert.Single(await runtime.ResumeOpenRoundsAsync().WaitAsync(TimeSpan.FromSeconds(60)));
            Assert.Equal(open.RoundId, resumed.RoundId);
            Assert.Equal(RoundState.Closed, runtime.Journal.Get(open.RoundId)!.State);
            Assert.Equal(intervalEnd, plant.Clock.GetUtcNow());
            Assert.Equal(intervalEnd, sims.Clock.Now);
            Assert.NotEmpty(resumed.Settlements);
        }
    }

    /// <summary>
    /// Stepped simulators of the end-to-end rig behind their control port, and the lockstep plant the gateway steps them
    /// through; disposing stops them and removes the rig's folder (journal included).
    /// </summary>
    private sealed class LockstepBench : IAsyncDisposable
    {
        private readonly string _dir;
        private readonly RigHost _host;
        private readonly LockstepControl _control;
        private readonly IReadOnlyDictionary<string, string> _endpoints;

        private LockstepBench(string dir, Gateway.Rigs.RigDefinition rig, SimulatedRig sims, RigHost host, LockstepControl control, LockstepPlant plant)
        {
            (_dir, Rig, Sims, _host, _control, Plant) = (dir, rig, sims, host, control, plant);
            _endpoints = host.Endpoints.ToDictionary(e => e.Id, e => new Uri(e.Uri).Authority, StringComparer.Ordinal);
        }

        public Gateway.Rigs.RigDefinition Rig { get; }

        public SimulatedRig Sims { get; }

        public LockstepPlant Plant { get; }

        public static async Task<LockstepBench> StartAsync(int rounds)
        {
            var dir = Directory.CreateTempSubdirectory("lockstep-").FullName;
            var rigPath = Path.Combine(dir, "rig.yaml");
            await File.WriteAllTextAsync(rigPath, EndToEndRig.Yaml.Replace("rounds: 3", $"rounds: {rounds}"));
            var sims = new SimulatedRig(RigLoader.LoadSimulated(rigPath), TimeProvider.System, stepped: true);
            var host = await RigHost.StartAsync(sims, portBase: 0);
            var control = LockstepControl.Start(sims);
            var plant = await LockstepPlant.ConnectAsync(new Uri(control.Uri).Authority);
            return new LockstepBench(dir, RigLoader.Load(rigPath), sims, host, control, plant);
        }

        /// <summary>A gateway on the simulators in lockstep, its first poll done.</summary>
        public async Task<GatewayRuntime> StartGatewayAsync()
        {
            var runtime = await GatewayRuntime.StartAsync(Rig, NullLoggerFactory.Instance, _endpoints, lockstep: Plant);
            await runtime.WaitForFirstPollAsync(TimeSpan.FromSeconds(10));
            return runtime;
        }

        public async ValueTask DisposeAsync()
        {
            await _control.DisposeAsync();
            await _host.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(_dir, true); } catch (IOException) { }
        }
    }
}
