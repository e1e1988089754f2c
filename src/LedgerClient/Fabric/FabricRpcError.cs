using Gateway.LedgerClient.Fabric.Protos;
using Google.Protobuf;
using Grpc.Core;

namespace Gateway.LedgerClient.Fabric;

/// <summary>Reads what a Gateway call's <see cref="RpcException"/> says: its status, and the endpoints' errors in the status details.</summary>
internal static class FabricRpcError
{
    private const string DetailsTrailer = "grpc-status-details-bin";

    /// <summary>
    /// The <c>gateway.ErrorDetail</c> entries of the rich status (<c>google.rpc.Status</c> in the <c>grpc-status-details-bin</c>
    /// trailer): which peer or orderer failed and what it said. Empty when absent or undecodable, since the details only
    /// enrich an error that is reported anyway.
    /// </summary>
    public static IReadOnlyList<GatewayErrorDetail> Details(RpcException error)
    {
        var bytes = error.Trailers.GetValueBytes(DetailsTrailer);
        if (bytes is null || bytes.Length == 0)
        {
            return [];
        }
        try
        {
            var status = Protos.Status.Parser.ParseFrom(bytes);
            var details = new List<GatewayErrorDetail>();
            foreach (var any in status.Details)
            {
                if (any.Is(ErrorDetail.Descriptor))
                {
                    var detail = any.Unpack<ErrorDetail>();
                    details.Add(new GatewayErrorDetail(detail.Address, detail.MspId, detail.Message));
                }
            }
            return details;
        }
        catch (InvalidProtocolBufferException)
        {
            return [];
        }
    }

    /// <summary>One line naming the status, the message and each endpoint's error.</summary>
    public static string Describe(RpcException error)
    {
        var text = $"gRPC {error.StatusCode}: {error.Status.Detail}";
        // Transport failures carry the cause (connection refused, TLS handshake) only in the debug exception.
        for (var cause = error.Status.DebugException; cause is not null; cause = cause.InnerException)
        {
            if (!text.Contains(cause.Message, StringComparison.Ordinal)) text += $" ({cause.GetType().Name}: {cause.Message})";
        }
        var details = Details(error);
        if (details.Count > 0)
        {
            text += " [" + string.Join("; ", details.Select(d => $"{d.Address} ({d.MspId}): {d.Message}")) + "]";
        }
        return text;
    }

    /// <summary>True when the call never reached the peer's service: no connection, a failed TLS handshake.</summary>
    public static bool IsTransportFailure(RpcException error) =>
        error.Status.DebugException is HttpRequestException or IOException or System.Security.Authentication.AuthenticationException or System.Net.Sockets.SocketException;

    /// <summary>The status message and every endpoint's message, for matching on the chaincode's error prefixes.</summary>
    public static string AllText(RpcException error) =>
        error.Status.Detail + "\n" + string.Join("\n", Details(error).Select(d => d.Message));
}
