namespace Gateway.LedgerClient.Outbox;

/// <summary>Where a settlement is in the outbox.</summary>
public enum OutboxEntryState
{
    /// <summary>Recorded, not yet confirmed by the ledger.</summary>
    Pending,
    /// <summary>The ledger confirmed it (committed now or found already committed).</summary>
    Committed,
    /// <summary>The ledger rejected it for good (content conflict, unbalanced); kept with the reason for an operator.</summary>
    DeadLettered,
}
