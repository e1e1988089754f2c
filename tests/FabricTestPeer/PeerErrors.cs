using Gateway.LedgerClient.Fabric.Protos;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace Gateway.Testing.Fabric;

/// <summary>Errors as a Fabric gateway answers them: a gRPC status, and the failing endpoint in gateway.ErrorDetail status details.</summary>
internal static class PeerErrors
{
    public static RpcException Create(StatusCode code, string message, string? detailMessage = null, string address = "", string mspId = "")
    {
        var trailers = new Metadata();
        if (detailMessage is not null)
        {
            var status = new Gateway.LedgerClient.Fabric.Protos.Status { Code = (int)code, Message = message };
            status.Details.Add(Any.Pack(new ErrorDetail { Address = address, MspId = mspId, Message = detailMessage }));
            trailers.Add("grpc-status-details-bin", status.ToByteArray());
        }
        return new RpcException(new Grpc.Core.Status(code, message), trailers);
    }
}
