namespace Gateway.Runtime.Scheduling;

/// <summary>
/// A clock for simulated rigs: simulated time starts at a given instant and runs
/// <see cref="TimeScale"/> times faster than the real clock underneath, so a day of hourly
/// market rounds passes in minutes. Timers are scaled the same way, so code that waits for
/// "the end of the interval" needs no special case for simulation.
/// </summary>
/// <remarks>
/// The device simulators run their physics on the same rule (start + real elapsed × scale),
/// so gateway and simulators agree on simulated time to within the start-up skew of the two
/// processes; energy is metered by the devices' own counters, so that skew never creates or
/// loses energy in a settlement.
/// Public: <c>gateway run</c> starts the plant clock where the simulators' clock is when it is given their endpoints file.
/// </remarks>
public sealed class AcceleratedTimeProvider : TimeProvider
{
    private readonly TimeProvider _real;
    private readonly DateTimeOffset _simulatedStart;
    private readonly long _realStartTimestamp;

    /// <summary>Create a clock that reads <paramref name="simulatedStart"/> now and runs <paramref name="timeScale"/>× real time.</summary>
    public AcceleratedTimeProvider(DateTimeOffset simulatedStart, double timeScale, TimeProvider? real = null)
    {
        if (!(timeScale > 0) || double.IsInfinity(timeScale))
            throw new ArgumentOutOfRangeException(nameof(timeScale), timeScale, "timeScale must be a positive, finite factor");
        _real = real ?? System;
        _simulatedStart = simulatedStart;
        TimeScale = timeScale;
        _realStartTimestamp = _real.GetTimestamp();
    }

    /// <summary>Simulated seconds per real second.</summary>
    public double TimeScale { get; }

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow()
    {
        var realElapsed = _real.GetElapsedTime(_realStartTimestamp);
        return _simulatedStart + TimeSpan.FromTicks((long)(realElapsed.Ticks * TimeScale));
    }

    /// <inheritdoc />
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <inheritdoc />
    public override long GetTimestamp() => GetUtcNow().UtcTicks;

    /// <inheritdoc />
    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    /// <inheritdoc />
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        => _real.CreateTimer(callback, state, ToReal(dueTime), ToReal(period));

    /// <summary>How long a simulated span takes in real time.</summary>
    internal TimeSpan ToReal(TimeSpan simulated)
    {
        if (simulated == Timeout.InfiniteTimeSpan || simulated <= TimeSpan.Zero) return simulated;
        return TimeSpan.FromTicks(Math.Max(1, (long)(simulated.Ticks / TimeScale)));
    }
}
