namespace Gateway.DeviceSims.Physics;

/// <summary>
/// Simulated time: starts at the rig's start time and runs <see cref="TimeScale"/> times as fast
/// as the real clock it is given (a fake clock in tests).
/// </summary>
public sealed class SimulationClock
{
    private readonly TimeProvider _real;
    private long _startTimestamp;

    /// <summary>Starts simulated time at <paramref name="start"/> now.</summary>
    public SimulationClock(TimeProvider real, DateTimeOffset start, double timeScale)
    {
        if (!(timeScale > 0)) throw new ArgumentOutOfRangeException(nameof(timeScale), timeScale, "time scale must be positive");
        _real = real;
        _startTimestamp = real.GetTimestamp();
        Start = start;
        TimeScale = timeScale;
    }

    /// <summary>Simulated time at start.</summary>
    public DateTimeOffset Start { get; }

    /// <summary>Simulated seconds per real second.</summary>
    public double TimeScale { get; }

    /// <summary>The simulated time now.</summary>
    public DateTimeOffset Now => Start + TimeSpan.FromTicks((long)(_real.GetElapsedTime(_startTimestamp).Ticks * TimeScale));

    /// <summary>Makes simulated time start over at <see cref="Start"/> from this real moment (used once servers are up).</summary>
    public void Restart() => _startTimestamp = _real.GetTimestamp();

    /// <summary>The real time that passes while <paramref name="simulated"/> passes in the simulation.</summary>
    public TimeSpan ToReal(TimeSpan simulated) => TimeSpan.FromTicks((long)(simulated.Ticks / TimeScale));
}
