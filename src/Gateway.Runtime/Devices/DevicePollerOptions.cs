namespace Gateway.Runtime.Devices;

/// <summary>How devices are polled and when they are isolated; validated at start.</summary>
internal sealed class DevicePollerOptions
{
    /// <summary>Real time one poll attempt may take before it is abandoned.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Retries of a failed poll within one polling period.</summary>
    public int Retries { get; init; } = 1;

    /// <summary>Failed polls in a row after which the device is isolated (no more setpoints).</summary>
    public int IsolateAfterFailures { get; init; } = 3;

    /// <summary>Real time the circuit stays open after repeated failures, so a dead device is not hammered.</summary>
    public TimeSpan BreakDuration { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Whether the poller re-arms device watchdogs after each good read.</summary>
    public bool RefreshWatchdogs { get; init; } = true;

    /// <summary>Throw when an option is out of range.</summary>
    public DevicePollerOptions Validate()
    {
        if (AttemptTimeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(AttemptTimeout), AttemptTimeout, "must be positive");
        if (Retries is < 0 or > 10) throw new ArgumentOutOfRangeException(nameof(Retries), Retries, "must be 0–10");
        if (IsolateAfterFailures is < 1 or > 1000) throw new ArgumentOutOfRangeException(nameof(IsolateAfterFailures), IsolateAfterFailures, "must be 1–1000");
        if (BreakDuration < TimeSpan.FromMilliseconds(500)) throw new ArgumentOutOfRangeException(nameof(BreakDuration), BreakDuration, "must be at least 0.5 s (Polly's minimum)");
        return this;
    }
}
