namespace Gateway.DeviceSims.Physics;

/// <summary>
/// Simulated time: starts at the rig's start time and runs <see cref="TimeScale"/> times as fast
/// as the real clock it is given (a fake clock in tests) — or, stepped, moves only when told to
/// (<see cref="StepTo"/>), so a gateway can step the plant in lockstep with its rounds and two runs
/// see the same day whatever the machine's load.
/// </summary>
public sealed class SimulationClock
{
    private readonly TimeProvider _real;
    private long _startTimestamp;
    private DateTimeOffset? _stepped;

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

    /// <summary>A clock that stands at <paramref name="start"/> until <see cref="StepTo"/> moves it.</summary>
    public static SimulationClock Stepped(DateTimeOffset start) => new(TimeProvider.System, start, 1) { _stepped = start };

    /// <summary>Whether time moves only by <see cref="StepTo"/>.</summary>
    public bool IsStepped => _stepped is not null;

    /// <summary>The simulated time now.</summary>
    public DateTimeOffset Now => _stepped ?? Start + TimeSpan.FromTicks((long)(_real.GetElapsedTime(_startTimestamp).Ticks * TimeScale));

    /// <summary>Moves a stepped clock to <paramref name="time"/> (never backwards).</summary>
    /// <exception cref="InvalidOperationException">The clock is not stepped.</exception>
    public void StepTo(DateTimeOffset time)
    {
        if (_stepped is not { } now) throw new InvalidOperationException("the simulation clock runs on real time; only a stepped clock can be stepped");
        if (time > now) _stepped = time;
    }

    /// <summary>Makes simulated time start over at <see cref="Start"/> from this real moment (used once servers are up).</summary>
    public void Restart() => _startTimestamp = _real.GetTimestamp();

    /// <summary>The real time that passes while <paramref name="simulated"/> passes in the simulation.</summary>
    public TimeSpan ToReal(TimeSpan simulated) => TimeSpan.FromTicks((long)(simulated.Ticks / TimeScale));
}
