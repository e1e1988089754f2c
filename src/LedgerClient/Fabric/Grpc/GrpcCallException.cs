namespace Gateway.LedgerClient.Fabric.Grpc;

/// <summary>A unary gRPC call ended with a non-OK status, or could not be carried out at all.</summary>
public sealed class GrpcCallException : Exception
{
    /// <summary>Creates the exception.</summary>
    public GrpcCallException(GrpcStatusCode statusCode, string statusMessage, IReadOnlyList<GatewayErrorDetail>? details = null, Exception? innerException = null)
        : base(Describe(statusCode, statusMessage, details), innerException)
    {
        StatusCode = statusCode;
        StatusMessage = statusMessage;
        Details = details ?? [];
    }

    /// <summary>The gRPC status code.</summary>
    public GrpcStatusCode StatusCode { get; }

    /// <summary>The status message (the decoded <c>grpc-message</c>, or this client's description of a transport failure).</summary>
    public string StatusMessage { get; }

    /// <summary>Fabric Gateway error details decoded from <c>grpc-status-details-bin</c>, empty when there were none.</summary>
    public IReadOnlyList<GatewayErrorDetail> Details { get; }

    private static string Describe(GrpcStatusCode code, string message, IReadOnlyList<GatewayErrorDetail>? details)
    {
        var text = $"gRPC {code}: {message}";
        if (details is { Count: > 0 })
        {
            text += " [" + string.Join("; ", details.Select(d => $"{d.Address} ({d.MspId}): {d.Message}")) + "]";
        }
        return text;
    }
}
