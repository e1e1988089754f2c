using System.Buffers.Binary;

namespace Gateway.Testing;

/// <summary>
/// Cuts a byte stream into the frames a <see cref="FaultProxy"/> drops, corrupts or reorders:
/// given the bytes received so far, the length of the first complete frame, or 0 while more bytes
/// are needed.
/// </summary>
public delegate int StreamFraming(ReadOnlySpan<byte> received);

/// <summary>Framings for the protocols the gateway speaks.</summary>
public static class Framings
{
    /// <summary>
    /// Modbus TCP: a 7-byte MBAP header whose length field counts the bytes after it (unit id and PDU).
    /// A nonsensical length field is passed on as a one-byte frame, so the peer sees the garbage as it came.
    /// </summary>
    public static StreamFraming ModbusTcp { get; } = static received =>
    {
        if (received.Length < 7)
        {
            return 0;
        }

        int length = BinaryPrimitives.ReadUInt16BigEndian(received[4..]);
        if (length is < 2 or > 254)
        {
            return 1;
        }

        return received.Length >= 6 + length ? 6 + length : 0;
    };

    /// <summary>No framing: every chunk the socket delivers is one unit.</summary>
    public static StreamFraming Chunks { get; } = static received => received.Length;
}
