namespace Gateway.LedgerClient;

/// <summary>A settlement as a ledger committed it.</summary>
/// <param name="Settlement">The settlement.</param>
/// <param name="BlockNumber">The block that holds it.</param>
/// <param name="TransactionId">The ledger's transaction id (Fabric) or leaf hash (embedded).</param>
public sealed record CommittedSettlement(SettlementRecord Settlement, long BlockNumber, string TransactionId);

/// <summary>
/// Settlements as the ledger commits them, in block order: what <c>gateway ledger follow</c> prints and what a
/// dashboard's ledger card shows. Fabric serves it from the Gateway's ChaincodeEvents stream, the embedded ledger
/// from its blocks table.
/// </summary>
public interface ISettlementFeed
{
    /// <summary>
    /// Settlements committed from block <paramref name="fromBlock"/> on (null: from the next block committed), until
    /// cancelled. Throws an <see cref="ILedgerFailure"/> exception when the ledger cannot be followed (a caller
    /// reconnects from the last block it saw).
    /// </summary>
    IAsyncEnumerable<CommittedSettlement> FollowAsync(long? fromBlock, CancellationToken cancellationToken = default);
}
