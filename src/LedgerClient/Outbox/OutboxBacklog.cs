namespace Gateway.LedgerClient.Outbox;

/// <summary>What is waiting for the ledger, for dashboards and logs.</summary>
/// <param name="PendingCount">Settlements recorded but not yet confirmed by the ledger.</param>
/// <param name="OldestPendingAge">How long the oldest pending settlement has waited, or null when none is pending.</param>
/// <param name="DeadLetterCount">Settlements the ledger rejected for good; an operator must look at them.</param>
/// <param name="CommittedCount">Settlements confirmed so far, or null when not counted (the dispatcher's per-tick snapshot skips it: committed rows accumulate without bound).</param>
/// <param name="LastError">The most recent transient error of a pending settlement, or null.</param>
/// <param name="LastErrorAtUtc">When <paramref name="LastError"/> happened.</param>
public sealed record OutboxBacklog(
    long PendingCount,
    TimeSpan? OldestPendingAge,
    long DeadLetterCount,
    long? CommittedCount,
    string? LastError,
    DateTimeOffset? LastErrorAtUtc)
{
    /// <summary>True when nothing is waiting.</summary>
    public bool IsEmpty => PendingCount == 0;
}
