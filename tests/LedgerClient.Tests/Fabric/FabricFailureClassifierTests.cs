using Gateway.LedgerClient.Fabric;
using Gateway.LedgerClient.Fabric.Grpc;
using Gateway.LedgerClient.Fabric.Protos;

namespace Gateway.LedgerClient.Tests.Fabric;

public class FabricFailureClassifierTests
{
    private static GrpcCallException Error(GrpcStatusCode code, string message, string? detail = null) =>
        new(code, message, detail is null ? null : [new GatewayErrorDetail("peer0:7051", "Org1MSP", detail)]);

    [Theory]
    [InlineData(GrpcStatusCode.Unavailable, "no orderers could successfully process transaction", null, FabricFailureKind.Unavailable)]
    [InlineData(GrpcStatusCode.Unavailable, "connection refused", null, FabricFailureKind.Unavailable)]
    [InlineData(GrpcStatusCode.ResourceExhausted, "too many requests", null, FabricFailureKind.Unavailable)]
    [InlineData(GrpcStatusCode.DeadlineExceeded, "deadline", null, FabricFailureKind.Timeout)]
    [InlineData(GrpcStatusCode.Aborted, "failed to endorse transaction, see attached details for more info", "chaincode response 500, SETTLEMENT_UNBALANCED: amount", FabricFailureKind.Rejected)]
    [InlineData(GrpcStatusCode.Aborted, "failed to endorse transaction, see attached details for more info", "access denied: creator org unknown", FabricFailureKind.AccessDenied)]
    [InlineData(GrpcStatusCode.Aborted, "failed to collect enough transaction endorsements", "peer0:7051 connection refused", FabricFailureKind.Unavailable)]
    [InlineData(GrpcStatusCode.PermissionDenied, "permission denied", null, FabricFailureKind.AccessDenied)]
    [InlineData(GrpcStatusCode.NotFound, "channel 'x' not found", null, FabricFailureKind.ProtocolError)]
    [InlineData(GrpcStatusCode.Internal, "bad frame", null, FabricFailureKind.ProtocolError)]
    public void Gateway_errors(GrpcStatusCode code, string message, string? detail, FabricFailureKind expected) =>
        Assert.Equal(expected, FabricFailureClassifier.Classify(Error(code, message, detail)));

    [Fact]
    public void Duplicate_settlement_is_recognised_in_the_details()
    {
        Assert.True(FabricFailureClassifier.IsDuplicateSettlement(Error(GrpcStatusCode.Aborted, "failed to endorse transaction",
            "chaincode response 500, SETTLEMENT_EXISTS: settlement s1 is already committed")));
        Assert.False(FabricFailureClassifier.IsDuplicateSettlement(Error(GrpcStatusCode.Aborted, "failed to endorse transaction",
            "chaincode response 500, SETTLEMENT_UNBALANCED")));
    }

    [Theory]
    [InlineData(11, FabricFailureKind.ReadConflict)]
    [InlineData(12, FabricFailureKind.ReadConflict)]
    [InlineData(10, FabricFailureKind.InvalidTransaction)]
    [InlineData(4, FabricFailureKind.AccessDenied)]
    public void Validation_codes(int code, FabricFailureKind expected) =>
        Assert.Equal(expected, FabricFailureClassifier.Classify((TxValidationCode)code));

    [Fact]
    public void Only_transient_kinds_are_retryable()
    {
        var retryable = Enum.GetValues<FabricFailureKind>().Where(k => new FabricLedgerException(k, "x").IsRetryable).ToHashSet();
        Assert.Equal(new HashSet<FabricFailureKind> { FabricFailureKind.Unavailable, FabricFailureKind.Timeout, FabricFailureKind.ReadConflict }, retryable);
    }
}
