namespace Gateway.Runtime.Scheduling;

/// <summary>
/// The plant clock of a lockstep run: simulated time stands still until <see cref="AdvanceTo"/> moves it, and timers fire
/// when it passes their due time (in due order, on the caller's thread). <see cref="LockstepPlant"/> moves it together with
/// the simulators' clock, so every reading and every round sees the same simulated instant whatever the machine's load.
/// </summary>
internal sealed class SteppedTimeProvider : TimeProvider
{
    private readonly object _gate = new();
    private readonly List<SteppedTimer> _timers = [];
    private DateTimeOffset _now;
    private long _sequence;

    /// <summary>A clock standing at <paramref name="start"/>.</summary>
    public SteppedTimeProvider(DateTimeOffset start) => _now = start;

    /// <summary>Raised (on the creating thread) whenever a timer is armed, so a driver waiting for the plant to go idle wakes.</summary>
    public event Action? TimerArmed;

    /// <summary>
    /// Wakes the lockstep driver after every <see cref="TimerArmed"/> handler has run: an observer of the arming (a test
    /// aborting a round at its interval's end, a trace) always sees it before the driver can step past it.
    /// </summary>
    internal event Action? DriverWake;

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate) return _now;
    }

    /// <inheritdoc />
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <inheritdoc />
    public override long GetTimestamp() => GetUtcNow().UtcTicks;

    /// <inheritdoc />
    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    /// <summary>The earliest due time of an armed timer, or null.</summary>
    public DateTimeOffset? NextDue()
    {
        lock (_gate) return _timers.Count == 0 ? null : _timers.Min(t => t.Due);
    }

    /// <summary>Moves the clock to <paramref name="time"/> (never backwards), firing every timer due by then in due order.</summary>
    public void AdvanceTo(DateTimeOffset time)
    {
        while (true)
        {
            SteppedTimer? next;
            lock (_gate)
            {
                next = _timers.Where(t => t.Due <= time).OrderBy(t => t.Due).ThenBy(t => t.Sequence).FirstOrDefault();
                if (next is null)
                {
                    if (time > _now) _now = time;
                    return;
                }

                if (next.Due > _now) _now = next.Due;
                _timers.Remove(next);
                if (next.Period > TimeSpan.Zero) Arm(next, _now + next.Period);
            }

            next.Callback(next.State);
        }
    }

    /// <inheritdoc />
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new SteppedTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    private void Arm(SteppedTimer timer, DateTimeOffset due)
    {
        timer.Due = due;
        timer.Sequence = _sequence++;
        _timers.Add(timer);
    }

    private sealed class SteppedTimer(SteppedTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        public TimerCallback Callback { get; } = callback;
        public object? State { get; } = state;
        public DateTimeOffset Due { get; set; }
        public TimeSpan Period { get; private set; }
        public long Sequence { get; set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._gate)
            {
                owner._timers.Remove(this);
                Period = period == Timeout.InfiniteTimeSpan ? TimeSpan.Zero : period;
                if (dueTime == Timeout.InfiniteTimeSpan) return true;
                owner.Arm(this, owner._now + (dueTime < TimeSpan.Zero ? TimeSpan.Zero : dueTime));
            }

            owner.TimerArmed?.Invoke();
            owner.DriverWake?.Invoke();
            return true;
        }

        public void Dispose()
        {
            lock (owner._gate) owner._timers.Remove(this);
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
