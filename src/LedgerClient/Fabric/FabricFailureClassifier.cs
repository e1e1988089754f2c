using Gateway.LedgerClient.Fabric.Protos;
using Grpc.Core;

namespace Gateway.LedgerClient.Fabric;

/// <summary>Maps Gateway errors and validation codes to <see cref="FabricFailureKind"/>.</summary>
internal static class FabricFailureClassifier
{
    /// <summary>Prefix the settlement chaincode puts on its duplicate-id rejection (single-settlement CommitSettlement).</summary>
    public const string DuplicateSettlementMarker = "SETTLEMENT_EXISTS";

    /// <summary>Prefix of a rejection because an id is already on the ledger with other content.</summary>
    public const string ConflictMarker = "_CONFLICT";

    public static FabricFailureKind Classify(RpcException error) =>
        // A call that never reached the service (refused connection, TLS handshake) says nothing about the transaction.
        FabricRpcError.IsTransportFailure(error) ? FabricFailureKind.Unavailable : Classify(error.StatusCode, FabricRpcError.AllText(error));

    public static FabricFailureKind Classify(StatusCode code, string text)
    {
        switch (code)
        {
            case StatusCode.Unavailable or StatusCode.ResourceExhausted:
                return FabricFailureKind.Unavailable;
            case StatusCode.DeadlineExceeded:
                return FabricFailureKind.Timeout;
            case StatusCode.PermissionDenied or StatusCode.Unauthenticated:
                return FabricFailureKind.AccessDenied;
            case StatusCode.Internal or StatusCode.Unimplemented or StatusCode.InvalidArgument or StatusCode.NotFound or StatusCode.DataLoss:
                return FabricFailureKind.ProtocolError;
        }
        if (Contains(text, "access denied") || Contains(text, "creator") && Contains(text, "certificate"))
        {
            return FabricFailureKind.AccessDenied;
        }
        if (Contains(text, ConflictMarker))
        {
            return FabricFailureKind.ConflictingDuplicate;
        }
        if (Contains(text, "chaincode response"))
        {
            return FabricFailureKind.Rejected;
        }
        // Aborted/Unknown/FailedPrecondition without a chaincode verdict: not enough endorsers reachable ("no combination
        // of peers can be derived which satisfy the endorsement policy" while gossip has not found an org's peer yet), an
        // orderer refusing while it elects a leader — conditions that pass.
        return FabricFailureKind.Unavailable;
    }

    public static bool IsDuplicateSettlement(RpcException error) => Contains(FabricRpcError.AllText(error), DuplicateSettlementMarker);

    public static FabricFailureKind Classify(TxValidationCode code) => code switch
    {
        TxValidationCode.MvccReadConflict or TxValidationCode.PhantomReadConflict => FabricFailureKind.ReadConflict,
        TxValidationCode.BadCreatorSignature => FabricFailureKind.AccessDenied,
        _ => FabricFailureKind.InvalidTransaction,
    };

    private static bool Contains(string text, string value) => text.Contains(value, StringComparison.OrdinalIgnoreCase);
}
