namespace Gateway.Runtime.Operator;

/// <summary>Settings of the <see cref="OperatorPublisher"/>; checked by <see cref="Validate"/> at construction.</summary>
internal sealed class OperatorPublisherOptions
{
    /// <summary>Devices whose health may wait at once; beyond it the oldest pending health update is dropped.</summary>
    public int HealthQueueCapacity { get; init; } = 1024;

    /// <summary>Setpoints, rounds and acknowledgements that may wait at once before superseded ones are discarded.</summary>
    public int OrderedQueueCapacity { get; init; } = 10_000;

    /// <summary>Rounds kept retained on <c>gw/{site}/rounds/{roundId}</c>; older ones are cleared so the broker does not grow without end.</summary>
    public int RetainedRoundsKept { get; init; } = 96;

    /// <summary>How long <see cref="OperatorPublisher.StopAsync"/> waits for queued messages and the "offline" status to reach the broker.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Shortest time between two health publications of one device (changes inside it are held, then sent).</summary>
    public TimeSpan HealthMinInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>A device's health is re-sent at least this often, changed or not.</summary>
    public TimeSpan HealthHeartbeat { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Broker user names allowed to acknowledge, each mapped to the operator it stands for. An acknowledgement counts only
    /// when published on <c>gw/{site}/operator/ack/{user}</c>, which the broker's ACL lets only that user write.
    /// </summary>
    public IReadOnlyDictionary<string, string> AckUsers { get; init; } = new Dictionary<string, string>();

    /// <summary>Throw <see cref="ArgumentException"/> naming every invalid setting.</summary>
    public void Validate()
    {
        var errors = new List<string>();
        if (HealthQueueCapacity < 1) errors.Add($"HealthQueueCapacity must be at least 1, got {HealthQueueCapacity}");
        if (OrderedQueueCapacity < 1) errors.Add($"OrderedQueueCapacity must be at least 1, got {OrderedQueueCapacity}");
        if (RetainedRoundsKept < 1) errors.Add($"RetainedRoundsKept must be at least 1, got {RetainedRoundsKept}");
        if (HealthMinInterval < TimeSpan.Zero) errors.Add($"HealthMinInterval must not be negative, got {HealthMinInterval}");
        if (HealthHeartbeat <= HealthMinInterval) errors.Add($"HealthHeartbeat must be longer than HealthMinInterval, got {HealthHeartbeat}");
        if (DrainTimeout < TimeSpan.Zero) errors.Add($"DrainTimeout must not be negative, got {DrainTimeout}");
        if (errors.Count > 0) throw new ArgumentException("invalid operator publisher options: " + string.Join("; ", errors));
    }
}
