using Gateway.Runtime.Scheduling;

namespace Gateway.Host.Tests.Worker;

/// <summary>The lockstep plant clock: still until advanced, timers fire in due order as time passes them.</summary>
public sealed class SteppedTimeProviderTests
{
    [Fact]
    public async Task Delays_complete_in_due_order_only_when_time_is_stepped_past_them()
    {
        var start = new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);
        var clock = new SteppedTimeProvider(start);
        var armed = 0;
        clock.TimerArmed += () => armed++;
        var order = new List<int>();
        var late = Task.Delay(TimeSpan.FromMinutes(10), clock).ContinueWith(_ => order.Add(10), TaskContinuationOptions.ExecuteSynchronously);
        var early = Task.Delay(TimeSpan.FromMinutes(5), clock).ContinueWith(_ => order.Add(5), TaskContinuationOptions.ExecuteSynchronously);
        Assert.Equal(2, armed);
        Assert.Equal(start.AddMinutes(5), clock.NextDue());
        await Task.Delay(50);
        Assert.Empty(order);

        clock.AdvanceTo(start.AddMinutes(7));
        await early;
        Assert.Equal([5], order);
        Assert.Equal(start.AddMinutes(7), clock.GetUtcNow());
        clock.AdvanceTo(start.AddMinutes(3));
        Assert.Equal(start.AddMinutes(7), clock.GetUtcNow());
        clock.AdvanceTo(start.AddHours(1));
        await late;
        Assert.Equal([5, 10], order);
        Assert.Null(clock.NextDue());
    }

    [Fact]
    public void A_periodic_timer_fires_once_per_period_passed()
    {
        var start = new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);
        var clock = new SteppedTimeProvider(start);
        var ticks = 0;
        using var timer = clock.CreateTimer(_ => ticks++, null, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30));
        clock.AdvanceTo(start.AddMinutes(2));
        Assert.Equal(4, ticks);
        timer.Dispose();
        clock.AdvanceTo(start.AddMinutes(4));
        Assert.Equal(4, ticks);
    }
}
