using System.Net.Sockets;
using Gateway.DeviceSims.Devices;
using Gateway.DeviceSims.Hosting;
using Gateway.DeviceSims.Physics;
using Gateway.Rigs;
using Gateway.Testing;

namespace Gateway.DeviceSims.Tests;

/// <summary>A stepped rig stands still until told, over its loopback control port, and then advances its physics there.</summary>
public sealed class LockstepControlTests
{
    [Fact]
    public void A_stepped_clock_moves_only_forward_and_only_when_stepped()
    {
        var start = new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);
        var clock = SimulationClock.Stepped(start);
        Assert.True(clock.IsStepped);
        Assert.Equal(start, clock.Now);
        clock.StepTo(start.AddMinutes(5));
        clock.StepTo(start.AddMinutes(1));
        Assert.Equal(start.AddMinutes(5), clock.Now);
        Assert.Throws<InvalidOperationException>(() => new SimulationClock(TestClocks.New(), start, 60).StepTo(start.AddHours(1)));
    }

    [Fact]
    public async Task The_control_port_advances_every_device_and_answers_each_line()
    {
        var real = TestClocks.New();
        var rig = new SimulatedRig(RigLoader.ParseSimulated(TestRig.Yaml, "stepped.yaml"), real, stepped: true);
        var ev = (SimulatedCharger)rig.Find("ev-1")!;
        ev.Image.Set("SetpointKw", -7.4);
        ev.Image.Set("WatchdogSeconds", 600);
        var soc = ev.Battery.SocPercent;
        await using var control = LockstepControl.Start(rig);
        using var client = new TcpClient();
        var uri = new Uri(control.Uri);
        await client.ConnectAsync(uri.Host, uri.Port);
        using var reader = new StreamReader(client.GetStream());
        await using var writer = new StreamWriter(client.GetStream()) { AutoFlush = true, NewLine = "\n" };

        // Real time passing moves nothing.
        real.Advance(TimeSpan.FromHours(1));
        await writer.WriteLineAsync("now");
        Assert.Equal("at 2026-06-01T12:00:00.0000000Z", await reader.ReadLineAsync());
        Assert.Equal(soc, ev.Battery.SocPercent);

        await writer.WriteLineAsync("advance 2026-06-01T12:05:00Z");
        Assert.Equal("at 2026-06-01T12:05:00.0000000Z", await reader.ReadLineAsync());
        Assert.Equal(new DateTimeOffset(2026, 6, 1, 12, 5, 0, TimeSpan.Zero), ev.Time);
        Assert.True(ev.Battery.SocPercent > soc, "five minutes at 7.4 kW charge the battery");

        await writer.WriteLineAsync("advance yesterday");
        Assert.StartsWith("error:", await reader.ReadLineAsync());
        await writer.WriteLineAsync("advance 2026-06-01T11:00:00Z");
        Assert.Equal("at 2026-06-01T12:05:00.0000000Z", await reader.ReadLineAsync());
    }

    [Fact]
    public void Only_a_stepped_rig_serves_a_lockstep_control()
    {
        var rig = new SimulatedRig(RigLoader.ParseSimulated(TestRig.Yaml, "real.yaml"), TestClocks.New());
        Assert.Throws<InvalidOperationException>(() => LockstepControl.Start(rig));
    }
}
