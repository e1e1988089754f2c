namespace Gateway.Drivers.Mqtt;

/// <summary>
/// Automatic reconnect after a lost connection: exponential backoff with jitter, run by a Polly retry strategy.
/// The first attempt is made at once; later attempts wait <see cref="InitialDelay"/> × 2ⁿ (jittered), at most <see cref="MaxDelay"/>.
/// </summary>
public sealed class MqttReconnectOptions
{
    /// <summary>Reconnect automatically after the connection is lost (not after <c>DisconnectAsync</c>).</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Base delay of the exponential backoff.</summary>
    public TimeSpan InitialDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Upper bound of one delay.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Attempts after the first before giving up; null retries until disposed or disconnected.</summary>
    public int? MaxAttempts { get; init; }

    /// <summary>Randomise delays so many gateways do not reconnect in lockstep after a broker restart.</summary>
    public bool UseJitter { get; init; } = true;

    internal IEnumerable<string> Validate()
    {
        if (InitialDelay <= TimeSpan.Zero || InitialDelay > TimeSpan.FromDays(1))
            yield return $"Reconnect.InitialDelay must be > 0 and at most one day, got {InitialDelay}";
        if (MaxDelay < InitialDelay || MaxDelay > TimeSpan.FromDays(1))
            yield return $"Reconnect.MaxDelay must be between InitialDelay ({InitialDelay}) and one day, got {MaxDelay}";
        if (MaxAttempts is < 1)
            yield return $"Reconnect.MaxAttempts must be at least 1 (or null for unlimited), got {MaxAttempts}";
    }
}
