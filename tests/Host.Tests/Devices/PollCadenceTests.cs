using Gateway.DeviceSims.Devices;
using Gateway.Drivers.Devices;
using Gateway.Runtime.Devices;
using Gateway.Rigs;
using Gateway.Runtime.Status;
using Gateway.Host.Tests.Worker;
using Gateway.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Host.Tests.Devices;

/// <summary>
/// The poll loop keeps a fixed cadence per device, with the devices' polls spread evenly over the period (not all at
/// once, which at 2,000 devices is a burst that queues behind an endpoint's pipelining window), and a slow device skips
/// the slots its poll overran — counted as missed — without moving anyone's cadence. On fake time: every poll instant is
/// exact.
/// </summary>
public sealed class PollCadenceTests
{
    private static readonly DateTimeOffset Start = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Devices_are_polled_once_a_period_each_at_its_own_phase()
    {
        var (links, reads, clock) = Site(slowDevice: null, slowBy: TimeSpan.Zero);
        var period = links[0].Device.PollPeriod;
        var poller = new DevicePoller(links, clock, new DevicePollerOptions(), new GatewayStatusBoard("cadence", clock), null, NullLogger.Instance);
        using var stop = new CancellationTokenSource();
        var run = poller.RunAsync(stop.Token);
        var step = period / (2 * links.Count);
        for (var t = TimeSpan.Zero; t <= period * 4; t += step)
        {
            if (t > TimeSpan.Zero) clock.Advance(step);
            var now = t;
            await Waits.UntilAsync(() => Enumerable.Range(0, links.Count).All(i => reads[i].Count >= Expected(i, links.Count, period, now)),
                $"the polls due by {now.TotalSeconds} s");
        }
        stop.Cancel();
        await run;

        for (var i = 0; i < links.Count; i++)
        {
            var phase = DevicePoller.Phase(period, i, links.Count);
            // The first poll at start, then at start + phase + k periods (device 0: phase 0, so its next is a period on).
            var expected = new List<TimeSpan> { TimeSpan.Zero };
            for (var slot = phase == TimeSpan.Zero ? period : phase; slot <= period * 4; slot += period) expected.Add(slot);
            Assert.Equal(expected, reads[i].Select(at => at - Start));
        }
        Assert.Equal(links.Count, links.Select((_, i) => DevicePoller.Phase(period, i, links.Count)).Distinct().Count());
        Assert.Equal(0, poller.MissedPolls);
    }

    [Fact]
    public async Task A_device_slower_than_its_period_misses_slots_and_the_others_keep_their_cadence()
    {
        var (links, reads, clock) = Site(slowDevice: 2, slowBy: TimeSpan.FromSeconds(70));
        var period = links[0].Device.PollPeriod;
        Assert.Equal(TimeSpan.FromSeconds(30), period);
        var poller = new DevicePoller(links, clock, new DevicePollerOptions { AttemptTimeout = TimeSpan.FromMinutes(5) }, new GatewayStatusBoard("cadence", clock), null, NullLogger.Instance);
        using var stop = new CancellationTokenSource();
        var run = poller.RunAsync(stop.Token);
        var step = period / (2 * links.Count);
        for (var t = TimeSpan.Zero; t <= period * 6; t += step)
        {
            if (t > TimeSpan.Zero) clock.Advance(step);
            var now = t;
            var slow = now.TotalSeconds >= 160 ? 3 : now.TotalSeconds >= 70 ? 2 : 1;
            await Waits.UntilAsync(() => reads[2].Count >= slow && Enumerable.Range(0, links.Count).Where(i => i != 2).All(i => reads[i].Count >= Expected(i, links.Count, period, now)),
                $"the polls due by {now.TotalSeconds} s");
        }
        stop.Cancel();
        await run;

        // The slow device (phase 10 s): a read started at 0 ends at 70 s, past its slots at 10 s and 40 s; the next, 70 s, is
        // due then and taken at once; it ends at 140 s, past 100 s and 130 s; then 160 s. Four slots missed, none of the others'.
        Assert.Equal([0, 70, 160], reads[2].Select(at => (at - Start).TotalSeconds));
        Assert.Equal(4, poller.MissedPolls);
        for (var i = 0; i < links.Count; i++)
        {
            if (i == 2) continue;
            Assert.Equal(Enumerable.Range(0, reads[i].Count).Select(_ => 0L), reads[i].Skip(1).Select(at => ((at - Start) - DevicePoller.Phase(period, i, links.Count)).Ticks % period.Ticks).Prepend(0L));
        }
    }

    // Polls of device i (of n) that are due by t: the first at 0, then one at each slot phase + k periods in (0, t].
    private static int Expected(int i, int n, TimeSpan period, TimeSpan t)
    {
        var phase = DevicePoller.Phase(period, i, n);
        var first = phase == TimeSpan.Zero ? period : phase;
        return 1 + (t < first ? 0 : (int)((t - first).Ticks / period.Ticks) + 1);
    }

    private static (List<DeviceLink> Links, List<DateTimeOffset>[] Reads, FakeTimeProvider Clock) Site(int? slowDevice, TimeSpan slowBy)
    {
        var yaml = EndToEndRig.Yaml.Replace("timeScale: 300", "timeScale: 1");
        var gateway = RigLoader.Parse(yaml, "cadence.yaml");
        var clock = new FakeTimeProvider(Start);
        var sims = new SimulatedRig(RigLoader.ParseSimulated(yaml, "cadence.yaml"), clock);
        var links = new List<DeviceLink>();
        var devices = gateway.Devices.Where(d => d.Protocol != "mqtt").ToList();
        var reads = devices.Select(_ => new List<DateTimeOffset>()).ToArray();
        for (var i = 0; i < devices.Count; i++)
        {
            var device = devices[i];
            var client = InMemoryModbusClient.For(device.UnitId, sims.UnitOf(sims.Find(device.Id)!));
            var driver = new ModbusDeviceDriver(client, device.UnitId, ProfileLoader.Load(device.Profile), clock);
            links.Add(new DeviceLink(device, new TimedDriver(driver, clock, reads[i], i == slowDevice ? slowBy : TimeSpan.Zero)));
        }
        return (links, reads, clock);
    }

    /// <summary>A real driver whose reads are recorded at the clock's time, and take <c>slowBy</c> of it.</summary>
    private sealed class TimedDriver(IDeviceDriver inner, TimeProvider clock, List<DateTimeOffset> reads, TimeSpan slowBy) : IDeviceDriver
    {
        public DeviceProfile Profile => inner.Profile;

        public bool ReadOnly => inner.ReadOnly;

        public async Task<DeviceReading> ReadAsync(CancellationToken cancellationToken = default)
        {
            lock (reads) reads.Add(clock.GetUtcNow());
            if (slowBy > TimeSpan.Zero) await Task.Delay(slowBy, clock, cancellationToken);
            return await inner.ReadAsync(cancellationToken);
        }

        public Task<SetpointResult> WriteSetpointAsync(double powerKw, TimeSpan validFor, CancellationToken cancellationToken = default) =>
            inner.WriteSetpointAsync(powerKw, validFor, cancellationToken);

        public Task RefreshWatchdogAsync(CancellationToken cancellationToken = default) => inner.RefreshWatchdogAsync(cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
