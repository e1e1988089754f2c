using System.Buffers.Binary;

namespace Gateway.LedgerClient.Fabric.Grpc;

/// <summary>
/// gRPC length-prefixed message framing over HTTP/2 DATA: one byte compressed-flag, a 4-byte big-endian
/// length, then the message. Pure codec, no I/O.
/// </summary>
public static class GrpcMessageFraming
{
    /// <summary>Bytes before each message.</summary>
    public const int PrefixLength = 5;

    /// <summary>Frames one uncompressed message.</summary>
    public static byte[] Frame(ReadOnlySpan<byte> message)
    {
        var framed = new byte[PrefixLength + message.Length];
        framed[0] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(framed.AsSpan(1, 4), (uint)message.Length);
        message.CopyTo(framed.AsSpan(PrefixLength));
        return framed;
    }

    /// <summary>
    /// Reads the single message of a unary response body. Throws <see cref="GrpcCallException"/> with
    /// <see cref="GrpcStatusCode.Internal"/> for a body that is not exactly one uncompressed message, and
    /// <see cref="GrpcStatusCode.ResourceExhausted"/> for one larger than <paramref name="maxMessageBytes"/>.
    /// </summary>
    public static ReadOnlyMemory<byte> ReadSingleMessage(ReadOnlyMemory<byte> body, int maxMessageBytes)
    {
        var span = body.Span;
        if (span.Length < PrefixLength)
        {
            throw new GrpcCallException(GrpcStatusCode.Internal, span.Length == 0
                ? "response carried no message although grpc-status was OK"
                : $"response body of {span.Length} bytes is shorter than the 5-byte message prefix");
        }
        if (span[0] != 0)
        {
            throw new GrpcCallException(GrpcStatusCode.Internal,
                span[0] == 1 ? "response message is compressed but no compression was negotiated" : $"invalid compressed-flag byte 0x{span[0]:X2}");
        }
        var length = BinaryPrimitives.ReadUInt32BigEndian(span.Slice(1, 4));
        if (length > (uint)maxMessageBytes)
        {
            throw new GrpcCallException(GrpcStatusCode.ResourceExhausted, $"response message of {length} bytes exceeds the limit of {maxMessageBytes} bytes");
        }
        if (span.Length - PrefixLength < length)
        {
            throw new GrpcCallException(GrpcStatusCode.Internal, $"response message truncated: prefix announces {length} bytes, {span.Length - PrefixLength} arrived");
        }
        if (span.Length - PrefixLength > length)
        {
            throw new GrpcCallException(GrpcStatusCode.Internal, "unary response carried more than one message");
        }
        return body.Slice(PrefixLength, (int)length);
    }
}
