namespace Gateway.LedgerClient.Outbox;

/// <summary>
/// A ledger whose commits have separate phases, so the outbox can keep a window of batches in flight and still
/// decide the order in which they become visible: <see cref="PrepareAsync"/> (endorse: any number concurrently),
/// <see cref="IPreparedLedgerBatch.SubmitAsync"/> (hand to the orderers: one after the other, in the order the
/// batches must appear), <see cref="IPreparedLedgerBatch.WaitForCommitAsync"/> (wait for the block: concurrently).
/// </summary>
/// <typeparam name="T">What is committed: settlements or round records.</typeparam>
internal interface ILedgerBatchWriter<T>
{
    /// <summary>
    /// Prepares one transaction holding every item (all or nothing). Throws an <see cref="ILedgerFailure"/> exception
    /// when the ledger refuses it; a permanent refusal names the offending item when it can.
    /// </summary>
    Task<IPreparedLedgerBatch> PrepareAsync(IReadOnlyList<T> items, CancellationToken cancellationToken = default);
}

/// <summary>A transaction prepared by <see cref="ILedgerBatchWriter{T}.PrepareAsync"/>.</summary>
public interface IPreparedLedgerBatch
{
    /// <summary>The transaction id, or null when nothing has to be submitted.</summary>
    string? TransactionId { get; }

    /// <summary>
    /// Set when nothing has to be submitted: every item is already on the ledger with identical content (or a ledger
    /// without phases committed the batch while preparing it); these are the results.
    /// </summary>
    IReadOnlyList<LedgerCommitResult>? AlreadyOnLedger { get; }

    /// <summary>Hands the transaction to the ledger's orderers; returns once they accepted it.</summary>
    Task SubmitAsync(CancellationToken cancellationToken = default);

    /// <summary>Waits until the transaction is in a block; one result per item, in item order.</summary>
    Task<IReadOnlyList<LedgerCommitResult>> WaitForCommitAsync(CancellationToken cancellationToken = default);
}
