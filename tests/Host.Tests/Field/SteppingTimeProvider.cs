using Gateway.Testing;

namespace Gateway.Host.Tests.Field;

/// <summary>
/// A fake clock that moves by exactly the time anyone waits on it: each timer created (a <c>Task.Delay</c>) advances the
/// clock to its due time. A commissioning session and the simulators sharing it see the same seconds pass, in
/// milliseconds of real time, with no sleeps.
/// </summary>
internal sealed class SteppingTimeProvider(DateTimeOffset start) : TimeProvider
{
    private readonly FakeTimeProvider _inner = new(start);

    public override DateTimeOffset GetUtcNow() => _inner.GetUtcNow();

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public override long TimestampFrequency => _inner.TimestampFrequency;

    public override long GetTimestamp() => _inner.GetTimestamp();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = _inner.CreateTimer(callback, state, dueTime, period);
        // Moved off the caller's thread: the timer must be in place (Task.Delay holds it) before it fires.
        if (dueTime > TimeSpan.Zero && dueTime != Timeout.InfiniteTimeSpan)
            ThreadPool.QueueUserWorkItem(_ => _inner.Advance(dueTime));
        return timer;
    }
}
