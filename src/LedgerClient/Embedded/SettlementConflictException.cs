using Gateway.LedgerClient.Outbox;

namespace Gateway.LedgerClient.Embedded;

/// <summary>
/// A settlement whose id is already on the ledger with different content. Accepting it
/// would silently replace (or duplicate) a committed settlement, so it is refused.
/// The message names the block holding the committed one and the fields that differ.
/// </summary>
internal sealed class SettlementConflictException(string settlementId, long committedInBlock, string message)
    : SettlementRejectedException(settlementId, message)
{
    /// <summary>The block that holds the settlement already committed under this id.</summary>
    public long CommittedInBlock { get; } = committedInBlock;
}
