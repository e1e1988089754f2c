using Gateway.LedgerClient.Fabric.Grpc;
using Gateway.LedgerClient.Fabric.Protos;

namespace Gateway.LedgerClient.Fabric;

/// <summary>Maps Gateway errors and validation codes to <see cref="FabricFailureKind"/>.</summary>
internal static class FabricFailureClassifier
{
    /// <summary>Prefix the settlement chaincode puts on its duplicate-id rejection.</summary>
    public const string DuplicateSettlementMarker = "SETTLEMENT_EXISTS";

    public static FabricFailureKind Classify(GrpcCallException error)
    {
        var text = AllText(error);
        switch (error.StatusCode)
        {
            case GrpcStatusCode.Unavailable or GrpcStatusCode.ResourceExhausted:
                return FabricFailureKind.Unavailable;
            case GrpcStatusCode.DeadlineExceeded:
                return FabricFailureKind.Timeout;
            case GrpcStatusCode.PermissionDenied or GrpcStatusCode.Unauthenticated:
                return FabricFailureKind.AccessDenied;
            case GrpcStatusCode.Internal or GrpcStatusCode.Unimplemented or GrpcStatusCode.InvalidArgument or GrpcStatusCode.NotFound or GrpcStatusCode.DataLoss:
                return FabricFailureKind.ProtocolError;
        }
        if (Contains(text, "access denied") || Contains(text, "creator") && Contains(text, "certificate"))
        {
            return FabricFailureKind.AccessDenied;
        }
        if (Contains(text, "chaincode response"))
        {
            return FabricFailureKind.Rejected;
        }
        // Aborted/Unknown/FailedPrecondition without a chaincode verdict: not enough endorsers reachable, an
        // orderer refusing while it elects a leader — conditions that pass.
        return FabricFailureKind.Unavailable;
    }

    public static bool IsDuplicateSettlement(GrpcCallException error) => Contains(AllText(error), DuplicateSettlementMarker);

    public static FabricFailureKind Classify(TxValidationCode code) => code switch
    {
        TxValidationCode.MvccReadConflict or TxValidationCode.PhantomReadConflict => FabricFailureKind.ReadConflict,
        TxValidationCode.BadCreatorSignature => FabricFailureKind.AccessDenied,
        _ => FabricFailureKind.InvalidTransaction,
    };

    private static string AllText(GrpcCallException error) =>
        error.StatusMessage + "\n" + string.Join("\n", error.Details.Select(d => d.Message));

    private static bool Contains(string text, string value) => text.Contains(value, StringComparison.OrdinalIgnoreCase);
}
