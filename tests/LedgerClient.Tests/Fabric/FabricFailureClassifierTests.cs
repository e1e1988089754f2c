using Gateway.LedgerClient.Fabric;
using Gateway.LedgerClient.Fabric.Protos;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace Gateway.LedgerClient.Tests.Fabric;

public class FabricFailureClassifierTests
{
    // An error as Grpc.Net.Client surfaces a gateway's answer: status, message, and gateway.ErrorDetail in the status-details trailer.
    private static RpcException Error(StatusCode code, string message, string? detail = null)
    {
        var trailers = new Metadata();
        if (detail is not null)
        {
            var status = new Gateway.LedgerClient.Fabric.Protos.Status { Code = (int)code, Message = message };
            status.Details.Add(Any.Pack(new ErrorDetail { Address = "peer0:7051", MspId = "Org1MSP", Message = detail }));
            trailers.Add("grpc-status-details-bin", status.ToByteArray());
        }
        return new RpcException(new Grpc.Core.Status(code, message), trailers);
    }

    [Theory]
    [InlineData(StatusCode.Unavailable, "no orderers could successfully process transaction", null, FabricFailureKind.Unavailable)]
    [InlineData(StatusCode.Unavailable, "connection refused", null, FabricFailureKind.Unavailable)]
    [InlineData(StatusCode.ResourceExhausted, "too many requests", null, FabricFailureKind.Unavailable)]
    [InlineData(StatusCode.DeadlineExceeded, "deadline", null, FabricFailureKind.Timeout)]
    [InlineData(StatusCode.Aborted, "failed to endorse transaction, see attached details for more info", "chaincode response 500, SETTLEMENT_UNBALANCED: amount", FabricFailureKind.Rejected)]
    [InlineData(StatusCode.Aborted, "failed to endorse transaction, see attached details for more info", "access denied: creator org unknown", FabricFailureKind.AccessDenied)]
    [InlineData(StatusCode.Aborted, "failed to collect enough transaction endorsements", "peer0:7051 connection refused", FabricFailureKind.Unavailable)]
    [InlineData(StatusCode.Aborted, "failed to endorse transaction, see attached details for more info", "chaincode response 500, SETTLEMENT_CONFLICT: settlement \"a\": already committed", FabricFailureKind.ConflictingDuplicate)]
    [InlineData(StatusCode.FailedPrecondition, "no combination of peers can be derived which satisfy the endorsement policy", null, FabricFailureKind.Unavailable)]
    [InlineData(StatusCode.PermissionDenied, "permission denied", null, FabricFailureKind.AccessDenied)]
    [InlineData(StatusCode.NotFound, "channel 'x' not found", null, FabricFailureKind.ProtocolError)]
    [InlineData(StatusCode.Internal, "bad frame", null, FabricFailureKind.ProtocolError)]
    public void Gateway_errors(StatusCode code, string message, string? detail, FabricFailureKind expected) =>
        Assert.Equal(expected, FabricFailureClassifier.Classify(Error(code, message, detail)));

    [Fact]
    public void Duplicate_settlement_is_recognised_in_the_details()
    {
        Assert.True(FabricFailureClassifier.IsDuplicateSettlement(Error(StatusCode.Aborted, "failed to endorse transaction",
            "chaincode response 500, SETTLEMENT_EXISTS: settlement s1 is already committed")));
        Assert.False(FabricFailureClassifier.IsDuplicateSettlement(Error(StatusCode.Aborted, "failed to endorse transaction",
            "chaincode response 500, SETTLEMENT_UNBALANCED")));
    }

    [Fact]
    public void Details_are_read_from_the_status_trailer_and_described()
    {
        var error = Error(StatusCode.Aborted, "failed to endorse transaction", "chaincode response 500, SETTLEMENT_UNBALANCED");
        Assert.Equal(new GatewayErrorDetail("peer0:7051", "Org1MSP", "chaincode response 500, SETTLEMENT_UNBALANCED"), Assert.Single(FabricRpcError.Details(error)));
        Assert.Equal("gRPC Aborted: failed to endorse transaction [peer0:7051 (Org1MSP): chaincode response 500, SETTLEMENT_UNBALANCED]", FabricRpcError.Describe(error));
        var garbled = new RpcException(new Grpc.Core.Status(StatusCode.Aborted, "x"), new Metadata { { "grpc-status-details-bin", new byte[] { 0xff, 0x01 } } });
        Assert.Empty(FabricRpcError.Details(garbled));
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
        var retryable = System.Enum.GetValues<FabricFailureKind>().Where(k => new FabricLedgerException(k, "x").IsRetryable).ToHashSet();
        Assert.Equal(new HashSet<FabricFailureKind> { FabricFailureKind.Unavailable, FabricFailureKind.Timeout, FabricFailureKind.ReadConflict }, retryable);
    }
}
