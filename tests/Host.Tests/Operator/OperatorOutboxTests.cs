using FsCheck;
using FsCheck.Fluent;
using Gateway.Runtime.Operator;

namespace Gateway.Host.Tests.Operator;

public sealed class OperatorOutboxTests
{
    [Fact]
    public void Health_coalesces_per_device_keeping_its_place_and_the_newest_value()
    {
        var outbox = new OperatorOutbox(latestCapacity: 10, orderedCapacity: 10);
        outbox.Enqueue(Health("ev-01", 1));
        outbox.Enqueue(Health("ev-02", 1));
        outbox.Enqueue(Health("ev-01", 2));
        outbox.Enqueue(Health("ev-01", 3));

        Assert.Equal(2, outbox.Count);
        Assert.Equal(2, outbox.Coalesced);
        Assert.Equal(["health/ev-01=3", "health/ev-02=1"], Drain(outbox));
    }

    [Fact]
    public void Beyond_capacity_the_oldest_health_is_dropped()
    {
        var outbox = new OperatorOutbox(latestCapacity: 2, orderedCapacity: 10);
        outbox.Enqueue(Health("ev-01", 1));
        outbox.Enqueue(Health("ev-02", 1));
        outbox.Enqueue(Health("ev-03", 1));

        Assert.Equal(1, outbox.DroppedLatest);
        Assert.Equal(["health/ev-02=1", "health/ev-03=1"], Drain(outbox));
    }

    [Fact]
    public void Setpoints_are_never_coalesced_and_go_out_before_health_in_order()
    {
        var outbox = new OperatorOutbox(latestCapacity: 10, orderedCapacity: 10);
        outbox.Enqueue(Health("ev-01", 1));
        outbox.Enqueue(Setpoint("ev-01", 1));
        outbox.Enqueue(Setpoint("ev-01", 2));
        outbox.Enqueue(Setpoint("ev-02", 1));

        Assert.Equal(["setpoint/ev-01=1", "setpoint/ev-01=2", "setpoint/ev-02=1", "health/ev-01=1"], Drain(outbox));
    }

    [Fact]
    public void On_overflow_only_a_superseded_setpoint_is_discarded()
    {
        var outbox = new OperatorOutbox(latestCapacity: 10, orderedCapacity: 3);
        outbox.Enqueue(Setpoint("ev-01", 1));
        outbox.Enqueue(Setpoint("ev-02", 1));
        outbox.Enqueue(Setpoint("ev-03", 1));
        outbox.Enqueue(Setpoint("ev-02", 2));

        Assert.Equal(1, outbox.DroppedSuperseded);
        Assert.Equal(["setpoint/ev-01=1", "setpoint/ev-03=1", "setpoint/ev-02=2"], Drain(outbox));
    }

    [Fact]
    public void On_overflow_a_setpoint_that_is_the_newest_for_its_device_is_kept_even_beyond_capacity()
    {
        var outbox = new OperatorOutbox(latestCapacity: 10, orderedCapacity: 2);
        outbox.Enqueue(Setpoint("ev-01", 1));
        outbox.Enqueue(Setpoint("ev-02", 1));
        outbox.Enqueue(Setpoint("ev-03", 1));

        Assert.Equal(0, outbox.DroppedSuperseded);
        Assert.Equal(["setpoint/ev-01=1", "setpoint/ev-02=1", "setpoint/ev-03=1"], Drain(outbox));
    }

    [Fact]
    public void Property_every_device_last_setpoint_and_last_health_survive_any_sequence()
    {
        Prop.ForAll(
            ArbMap.Default.ArbFor<(bool IsSetpoint, byte Device)[]>(),
            (sequence) =>
            {
                var outbox = new OperatorOutbox(latestCapacity: 4, orderedCapacity: 5);
                var lastSetpoint = new Dictionary<string, int>();
                for (var i = 0; i < sequence.Length; i++)
                {
                    var device = "d" + (sequence[i].Device % 6);
                    if (sequence[i].IsSetpoint)
                    {
                        outbox.Enqueue(Setpoint(device, i));
                        lastSetpoint[device] = i;
                    }
                    else
                    {
                        outbox.Enqueue(Health(device, i));
                    }
                }
                var sent = Drain(outbox);
                var setpointsSent = sent.Where(s => s.StartsWith("setpoint/")).ToList();
                var healthSent = sent.Count(s => s.StartsWith("health/"));
                return lastSetpoint.All(kv => setpointsSent.Contains($"setpoint/{kv.Key}={kv.Value}"))
                    && setpointsSent.Count <= Math.Max(5, lastSetpoint.Count)
                    && healthSent <= 4
                    && setpointsSent.Select(s => int.Parse(s[(s.IndexOf('=') + 1)..])).SequenceEqual(setpointsSent.Select(s => int.Parse(s[(s.IndexOf('=') + 1)..])).Order());
            }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public async Task WaitAsync_returns_once_something_is_queued()
    {
        var outbox = new OperatorOutbox(10, 10);
        var waiting = outbox.WaitAsync().AsTask();
        Assert.False(waiting.IsCompleted);
        outbox.Enqueue(Health("ev-01", 1));
        await waiting.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(outbox.TryDequeue(out _));
        Assert.False(outbox.TryDequeue(out _));
    }

    private static OutboxItem Health(string device, int value) => new($"health/{device}={value}", "health/" + device, Coalesce: true);

    private static OutboxItem Setpoint(string device, int value) => new($"setpoint/{device}={value}", "setpoint/" + device, Coalesce: false);

    private static List<string> Drain(OperatorOutbox outbox)
    {
        var items = new List<string>();
        while (outbox.TryDequeue(out var item)) items.Add((string)item.Record);
        return items;
    }
}
