using System.Buffers.Binary;

namespace Gateway.Drivers.Modbus.Tcp;

/// <summary>
/// The 7-byte MBAP header of Modbus TCP (Modbus Messaging on TCP/IP Implementation Guide v1.0b §3.1.3):
/// transaction id, protocol id (always 0), length (unit id + PDU bytes), unit id; big-endian.
/// </summary>
internal readonly record struct MbapHeader(ushort TransactionId, ushort ProtocolId, ushort Length, byte UnitId)
{
    public const int Size = 7;

    /// <summary>Smallest legal length field: unit id + function code.</summary>
    public const int MinLength = 2;

    /// <summary>Largest legal length field: unit id + 253-byte PDU.</summary>
    public const int MaxLength = 1 + ModbusLimits.MaxPduLength;

    public int PduLength => Length - 1;

    /// <summary>
    /// Readies a receive buffer holding unread bytes in [start, end) for the next read: empties it when everything was
    /// read, and moves a partial frame to the front when too little room is left behind it for a whole frame.
    /// </summary>
    public static void MakeRoomForFrame(byte[] buffer, ref int start, ref int end)
    {
        if (start == end)
        {
            start = end = 0;
        }
        else if (buffer.Length - end < Size + ModbusLimits.MaxPduLength)
        {
            Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
            end -= start;
            start = 0;
        }
    }

    public static MbapHeader Read(ReadOnlySpan<byte> source) => new(
        BinaryPrimitives.ReadUInt16BigEndian(source),
        BinaryPrimitives.ReadUInt16BigEndian(source[2..]),
        BinaryPrimitives.ReadUInt16BigEndian(source[4..]),
        source[6]);

    public static void Write(Span<byte> destination, ushort transactionId, byte unitId, int pduLength)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, transactionId);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(destination[4..], (ushort)(pduLength + 1));
        destination[6] = unitId;
    }

    /// <summary>Null when the header is acceptable, else what is wrong with it, citing the spec.</summary>
    public string? Problem()
    {
        if (ProtocolId != 0)
        {
            return $"MBAP protocol id is 0x{ProtocolId:X4}, must be 0 (Modbus Messaging on TCP/IP v1.0b §3.1.3).";
        }

        if (Length < MinLength || Length > MaxLength)
        {
            return $"MBAP length {Length} is outside {MinLength}–{MaxLength} (Modbus Messaging on TCP/IP v1.0b §3.1.3; PDU ≤ 253 bytes).";
        }

        return null;
    }
}
