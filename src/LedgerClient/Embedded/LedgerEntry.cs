namespace Gateway.LedgerClient.Embedded;

/// <summary>A settlement as it sits on the embedded ledger: the record and where it landed.</summary>
/// <param name="Settlement">The committed settlement.</param>
/// <param name="BlockNumber">The block that holds it.</param>
/// <param name="Position">Its 0-based position inside the block.</param>
/// <param name="TransactionId">Hex SHA-256 leaf hash of its canonical form (what <see cref="LedgerCommitResult.TransactionId"/> returns).</param>
/// <param name="CommittedAtUtc">The block's timestamp.</param>
public sealed record LedgerEntry(SettlementRecord Settlement, long BlockNumber, int Position, string TransactionId, DateTimeOffset CommittedAtUtc);
