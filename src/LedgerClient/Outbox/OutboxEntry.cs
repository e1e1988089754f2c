namespace Gateway.LedgerClient.Outbox;

/// <summary>One row of the outbox.</summary>
/// <param name="Sequence">Enqueue order; pending rows are dispatched in this order.</param>
/// <param name="Settlement">The settlement.</param>
/// <param name="State">Pending, committed or dead-lettered.</param>
/// <param name="EnqueuedAtUtc">When the caller recorded it.</param>
/// <param name="FailedAttempts">Dispatch attempts that ended without an answer from the ledger (after the pipeline's own retries).</param>
/// <param name="LastError">The last transient error, or the dead-letter reason.</param>
/// <param name="BlockNumber">Where the ledger put it, once committed.</param>
/// <param name="TransactionId">The ledger's transaction id, once committed.</param>
/// <param name="Outcome">How the ledger answered, once committed (a restart after a lost answer shows <see cref="LedgerCommitOutcome.AlreadyCommitted"/>).</param>
/// <param name="BatchKey">The batch it was queued in (a round's settlements are one ledger transaction), or null.</param>
public sealed record OutboxEntry(
    long Sequence,
    SettlementRecord Settlement,
    OutboxEntryState State,
    DateTimeOffset EnqueuedAtUtc,
    int FailedAttempts,
    string? LastError,
    long? BlockNumber,
    string? TransactionId,
    LedgerCommitOutcome? Outcome,
    string? BatchKey = null);
