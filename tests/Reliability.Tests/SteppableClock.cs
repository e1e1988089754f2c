namespace Gateway.Reliability.Tests;

/// <summary>
/// A clock whose reading can be stepped, as an NTP correction or an operator's <c>date -s</c> steps a host's clock:
/// <see cref="GetUtcNow"/> and <see cref="GetTimestamp"/> jump by the step; timers already set keep their real
/// duration (the kernel runs them on a monotonic clock).
/// </summary>
internal sealed class SteppableClock(TimeProvider inner) : TimeProvider
{
    private long _offsetTicks;

    public TimeSpan Offset => TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    public void Step(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);

    public override DateTimeOffset GetUtcNow() => inner.GetUtcNow() + Offset;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => GetUtcNow().UtcTicks;

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) => inner.CreateTimer(callback, state, dueTime, period);
}
