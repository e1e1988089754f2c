using Google.Protobuf;

namespace Gateway.LedgerClient.Fabric.Grpc;

/// <summary>
/// Makes one unary gRPC call. The only seam between the Fabric client and its transport:
/// were Grpc.Net.Client available, an adapter over a <c>CallInvoker</c> would replace
/// <see cref="HttpGrpcUnaryCaller"/> here and nothing else would change.
/// </summary>
public interface IGrpcUnaryCaller
{
    /// <summary>
    /// Sends <paramref name="request"/> to <paramref name="method"/> (e.g. "/gateway.Gateway/Endorse") and returns the
    /// response, or throws <see cref="GrpcCallException"/> for a non-OK status, a transport failure
    /// (<see cref="GrpcStatusCode.Unavailable"/>) or an expired deadline (<see cref="GrpcStatusCode.DeadlineExceeded"/>).
    /// Cancellation through <paramref name="cancellationToken"/> surfaces as <see cref="OperationCanceledException"/>.
    /// </summary>
    Task<TResponse> CallAsync<TRequest, TResponse>(
        string method,
        TRequest request,
        MessageParser<TResponse> responseParser,
        TimeSpan timeout,
        CancellationToken cancellationToken = default)
        where TRequest : IMessage
        where TResponse : IMessage<TResponse>;
}
