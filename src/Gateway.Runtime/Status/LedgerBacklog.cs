namespace Gateway.Runtime.Status;

/// <summary>Settlements waiting for the ledger.</summary>
/// <param name="Pending">Settlements queued and not yet committed.</param>
/// <param name="OldestPendingAge">Age of the oldest pending settlement.</param>
/// <param name="DeadLettered">Settlements the ledger rejected permanently (kept, with their reason).</param>
/// <param name="Committed">Settlements committed since start.</param>
/// <param name="LastError">The last ledger error, when any.</param>
internal sealed record LedgerBacklog(int Pending, TimeSpan? OldestPendingAge, int DeadLettered, long Committed, string? LastError)
{
    /// <summary>An empty backlog.</summary>
    public static LedgerBacklog Empty { get; } = new(0, null, 0, 0, null);
}
