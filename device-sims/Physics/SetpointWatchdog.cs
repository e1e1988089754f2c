namespace Gateway.DeviceSims.Physics;

/// <summary>
/// The validity time of a device's setpoint: each refresh (setpoint, watchdog or heartbeat
/// write) starts it again; when it runs out the device falls back to 0 kW by itself.
/// </summary>
public sealed class SetpointWatchdog(DateTimeOffset start)
{
    private DateTimeOffset _lastRefresh = start;

    /// <summary>The gateway proved it is alive at <paramref name="now"/>.</summary>
    public void Refresh(DateTimeOffset now) => _lastRefresh = now;

    /// <summary>Whether more than <paramref name="timeoutSeconds"/> passed since the last refresh (a timeout ≤ 0 never expires).</summary>
    public bool IsExpired(DateTimeOffset now, double timeoutSeconds) =>
        timeoutSeconds > 0 && (now - _lastRefresh).TotalSeconds > timeoutSeconds;
}
