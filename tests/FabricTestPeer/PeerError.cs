using Gateway.LedgerClient.Fabric.Grpc;

namespace Gateway.Testing.Fabric;

/// <summary>A call the peer refuses, answered as a trailers-only gRPC error with optional gateway.ErrorDetail.</summary>
internal sealed class PeerError(GrpcStatusCode code, string message, string? detailMessage = null) : Exception(message)
{
    public GrpcStatusCode Code { get; } = code;

    public string? DetailMessage { get; } = detailMessage;
}
