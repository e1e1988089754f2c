using Gateway.DeviceSims.Devices;
using Gateway.Rigs;
using Gateway.Drivers.Devices;
using Gateway.Runtime.Devices;
using Gateway.Runtime.Status;
using Gateway.Host.Tests.Worker;
using Gateway.Runtime.Trading;
using Gateway.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Host.Tests.Trading;

/// <summary>
/// A rig device marked <c>readOnly: true</c> is only watched: its driver refuses writes, the poller reads it without
/// refreshing its watchdog, and the planner neither quotes it nor plans a setpoint for it.
/// </summary>
public sealed class ReadOnlyDeviceTests
{
    private static readonly byte[] WriteFunctions = [5, 6, 15, 16, 23];

    [Fact]
    public async Task A_read_only_device_is_polled_without_writes_and_left_out_of_the_market()
    {
        var yaml = EndToEndRig.Yaml.Replace("timeScale: 300", "timeScale: 1");
        var gateway = RigLoader.Parse(yaml, "read-only.yaml");
        var real = new FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var sims = new SimulatedRig(RigLoader.ParseSimulated(yaml, "read-only.yaml"), real);
        var links = new List<DeviceLink>();
        var clients = new Dictionary<string, InMemoryModbusClient>();
        foreach (var device in gateway.Devices.Where(d => d.Protocol != "mqtt"))
        {
            var sim = sims.Find(device.Id)!;
            var client = InMemoryModbusClient.For(device.UnitId, sims.UnitOf(sim));
            clients[device.Id] = client;
            var readOnly = device.Kind is "charger" or "pv-inverter";
            links.Add(new DeviceLink(device with { ReadOnly = readOnly },
                new ModbusDeviceDriver(client, device.UnitId, ProfileLoader.Load(device.Profile), real) { ReadOnly = readOnly }));
        }
        Assert.Contains(links, l => l.Driver.ReadOnly && l.Device.Kind == "charger");

        var poller = new DevicePoller(links, real, new DevicePollerOptions(), new GatewayStatusBoard(gateway.SiteId, real), null, NullLogger.Instance);
        foreach (var link in links) await poller.PollOnceAsync(link);
        Assert.All(links, l => Assert.NotNull(l.LastReading));
        foreach (var link in links.Where(l => l.Driver.ReadOnly))
            Assert.DoesNotContain(clients[link.Device.Id].Requests, r => WriteFunctions.Contains(r.Function));
        // A device that may be written is not kept alive by the poll before it holds a setpoint of ours (nothing of ours
        // to keep: whatever it runs at was set by someone else and is let run out) …
        var writable = links.Where(l => !l.Driver.ReadOnly && l.Driver.Profile.Points.Any(p => p.Role is PointRole.Heartbeat or PointRole.Watchdog)).ToList();
        Assert.NotEmpty(writable);
        Assert.All(writable, l => Assert.DoesNotContain(clients[l.Device.Id].Requests, r => WriteFunctions.Contains(r.Function)));
        // … and is, once it holds one and a third of its validity has passed (the read-only ones never are).
        var kept = writable[0];
        await kept.UseDriverAsync((d, c) => d.WriteSetpointAsync(0, TimeSpan.FromMinutes(3), c));
        int Writes(DeviceLink l) => clients[l.Device.Id].Requests.Count(r => WriteFunctions.Contains(r.Function));
        var afterSetpoint = Writes(kept);
        await poller.PollOnceAsync(kept);
        Assert.Equal(afterSetpoint, Writes(kept));
        real.Advance(TimeSpan.FromMinutes(1));
        foreach (var link in links) await poller.PollOnceAsync(link);
        Assert.Equal(afterSetpoint + 1, Writes(kept));
        foreach (var link in links.Where(l => l.Driver.ReadOnly))
            Assert.DoesNotContain(clients[link.Device.Id].Requests, r => WriteFunctions.Contains(r.Function));

        var round = new RoundPlanner(gateway).BuildRound(sims.Clock.Now, links, real.GetUtcNow());
        var readOnlyParticipants = links.Where(l => l.Driver.ReadOnly).Select(l => l.Device.ParticipantId).ToHashSet();
        Assert.DoesNotContain(round.Participants, p => readOnlyParticipants.Contains(p.Id));

        // The same readings through writable drivers do quote: it is the lock that keeps them out.
        var twins = links.Select(l =>
        {
            var twin = new DeviceLink(l.Device with { ReadOnly = false }, new ModbusDeviceDriver(clients[l.Device.Id], l.Device.UnitId, l.Driver.Profile, real));
            twin.RecordReading(l.LastReading!);
            return twin;
        }).ToList();
        var open = new RoundPlanner(gateway).BuildRound(sims.Clock.Now, twins, real.GetUtcNow());
        Assert.Contains(open.Participants, p => readOnlyParticipants.Contains(p.Id));
    }
}
