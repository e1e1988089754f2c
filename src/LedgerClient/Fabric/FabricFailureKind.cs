namespace Gateway.LedgerClient.Fabric;

/// <summary>Why a Fabric ledger operation failed; decides whether retrying can help.</summary>
public enum FabricFailureKind
{
    /// <summary>Peer or orderer unreachable, connection refused or reset, orderers not ready (e.g. Raft leader election). Retryable.</summary>
    Unavailable,
    /// <summary>A deadline expired; the outcome of a submitted transaction is unknown. Retryable: commits are idempotent on settlement id.</summary>
    Timeout,
    /// <summary>The transaction was ordered but invalidated by a concurrent write (MVCC or phantom read conflict). Retryable.</summary>
    ReadConflict,
    /// <summary>The chaincode rejected the settlement (unbalanced amounts, malformed). Permanent.</summary>
    Rejected,
    /// <summary>The same settlement id is already on the ledger with different content. Permanent.</summary>
    ConflictingDuplicate,
    /// <summary>The peer refused the client's identity (untrusted certificate, wrong MSP, bad signature). Permanent until reconfigured.</summary>
    AccessDenied,
    /// <summary>The transaction was committed as invalid for another reason (e.g. endorsement policy failure). Permanent.</summary>
    InvalidTransaction,
    /// <summary>The peer answered something this client does not understand. Permanent.</summary>
    ProtocolError,
}
