namespace Gateway.LedgerClient.Outbox;

/// <summary>
/// A ledger that can commit many settlements in one call (the embedded ledger puts them in
/// one block and pays for one fsync). The outbox dispatcher uses it when a backend offers it.
/// The same idempotence rules as <see cref="ISettlementLedger.CommitAsync"/> hold per settlement.
/// </summary>
internal interface ISettlementBatchLedger : ISettlementLedger
{
    /// <summary>
    /// Commit all settlements or none. Returns one result per input, in input order.
    /// Throws (and commits nothing) when any settlement is rejected: an <see cref="ILedgerFailure"/> exception naming
    /// the settlement when the backend can (<see cref="SettlementRejectedException"/> on the embedded ledger).
    /// </summary>
    Task<IReadOnlyList<LedgerCommitResult>> CommitBatchAsync(IReadOnlyList<SettlementRecord> settlements, CancellationToken cancellationToken = default);
}
