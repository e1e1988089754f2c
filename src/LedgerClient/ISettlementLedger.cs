namespace Gateway.LedgerClient;

/// <summary>
/// A settlement ledger backend (the embedded hash-chained store or Hyperledger Fabric).
/// Commits are idempotent on <see cref="SettlementRecord.SettlementId"/>: committing a
/// settlement that is already on the ledger with the same content returns
/// <see cref="LedgerCommitOutcome.AlreadyCommitted"/>, never a second copy.
/// </summary>
public interface ISettlementLedger
{
    /// <summary>Commit one settlement and wait until it is durable (embedded) or committed in a block (Fabric).</summary>
    Task<LedgerCommitResult> CommitAsync(SettlementRecord settlement, CancellationToken cancellationToken = default);

    /// <summary>Read one settlement by id, or null when the ledger has none with that id.</summary>
    Task<SettlementRecord?> GetAsync(string settlementId, CancellationToken cancellationToken = default);

    /// <summary>All settlements of one round, in commit order.</summary>
    Task<IReadOnlyList<SettlementRecord>> QueryRoundAsync(string roundId, CancellationToken cancellationToken = default);
}

/// <summary>How a commit ended.</summary>
public enum LedgerCommitOutcome
{
    /// <summary>Newly committed by this call.</summary>
    Committed,
    /// <summary>The same settlement id was already on the ledger with identical content.</summary>
    AlreadyCommitted,
}

/// <summary>The outcome of a commit and where it landed (block number, transaction id) when the backend has one.</summary>
public sealed record LedgerCommitResult(LedgerCommitOutcome Outcome, long BlockNumber, string TransactionId);
