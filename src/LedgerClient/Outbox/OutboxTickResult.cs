namespace Gateway.LedgerClient.Outbox;

/// <summary>What one <see cref="OutboxDispatcher.TickAsync"/> did.</summary>
/// <param name="Committed">Settlements newly committed.</param>
/// <param name="AlreadyCommitted">Settlements the ledger already had (a retry after a lost answer or a crash).</param>
/// <param name="DeadLettered">Settlements rejected for good in this tick.</param>
/// <param name="LedgerError">The transient error that stopped the tick (ledger down, timeout, open circuit), or null.</param>
public sealed record OutboxTickResult(int Committed, int AlreadyCommitted, int DeadLettered, string? LedgerError)
{
    /// <summary>Rows that left the pending state in this tick.</summary>
    public int Processed => Committed + AlreadyCommitted + DeadLettered;
}
