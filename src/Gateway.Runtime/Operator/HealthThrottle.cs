using Gateway.Runtime.Status;

namespace Gateway.Runtime.Operator;

/// <summary>
/// Bounds the rate of device-health publications: a device's health goes out when something an operator acts on changed
/// (link state, staleness, error, setpoint, a named state, a value beyond its deadband), at most once per
/// <see cref="MinInterval"/> (a change inside it is held and sent when it ends), and otherwise once per
/// <see cref="Heartbeat"/> so a late subscriber and a silent device both stay visible. Not thread-safe: the publisher locks.
/// </summary>
internal sealed class HealthThrottle(TimeSpan minInterval, TimeSpan heartbeat)
{
    private readonly Dictionary<string, (DeviceHealth Health, DateTimeOffset At)> _sent = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DeviceHealth> _held = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DeviceHealth> _latest = new(StringComparer.Ordinal);

    public TimeSpan MinInterval { get; } = minInterval;

    public TimeSpan Heartbeat { get; } = heartbeat;

    /// <summary>Offer a new health record; true when it is to be sent now (then it is counted as sent).</summary>
    public bool Offer(DeviceHealth health, DateTimeOffset now)
    {
        _latest[health.DeviceId] = health;
        if (!_sent.TryGetValue(health.DeviceId, out var last))
        {
            _sent[health.DeviceId] = (health, now);
            return true;
        }
        if (!Significant(last.Health, health))
        {
            // A pending change stays pending; a newer insignificant value refreshes what it will carry.
            if (_held.ContainsKey(health.DeviceId)) _held[health.DeviceId] = health;
            return false;
        }
        if (now - last.At >= MinInterval)
        {
            _held.Remove(health.DeviceId);
            _sent[health.DeviceId] = (health, now);
            return true;
        }
        _held[health.DeviceId] = health;
        return false;
    }

    /// <summary>Held changes whose interval has passed, and heartbeats due; each counted as sent.</summary>
    public List<DeviceHealth> Due(DateTimeOffset now)
    {
        var due = new List<DeviceHealth>();
        foreach (var (id, health) in _held.ToList())
        {
            if (now - _sent[id].At < MinInterval) continue;
            _held.Remove(id);
            _sent[id] = (health, now);
            due.Add(health);
        }
        foreach (var (id, sent) in _sent.ToList())
        {
            if (now - sent.At < Heartbeat || _held.ContainsKey(id)) continue;
            var latest = _latest[id];
            _sent[id] = (latest, now);
            due.Add(latest);
        }
        return due;
    }

    /// <summary>Forget what was sent (after a reconnect everything goes out again).</summary>
    public void Reset()
    {
        _sent.Clear();
        _held.Clear();
    }

    internal static bool Significant(DeviceHealth before, DeviceHealth now)
    {
        if (before.State != now.State || before.Stale != now.Stale || before.LastError != now.LastError
            || before.SetpointKw != now.SetpointKw || before.SetpointValidUntilUtc != now.SetpointValidUntilUtc) return true;
        if (!SameStates(before.States, now.States)) return true;
        if (before.Measurements.Count != now.Measurements.Count) return true;
        foreach (var (name, value) in now.Measurements)
        {
            if (!before.Measurements.TryGetValue(name, out var old)) return true;
            if (double.IsNaN(old) != double.IsNaN(value)) return true;
            // Deadband: 0.1 in the point's unit or 2 % of the value, whichever is larger.
            if (Math.Abs(value - old) > Math.Max(0.1, 0.02 * Math.Abs(old))) return true;
        }
        return false;
    }

    private static bool SameStates(IReadOnlyDictionary<string, string>? a, IReadOnlyDictionary<string, string>? b)
    {
        if (a is null || b is null) return a is null == b is null;
        return a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var v) && v == kv.Value);
    }
}
