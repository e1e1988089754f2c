using Gateway.Drivers.Modbus.Codec;

namespace Gateway.Drivers.Modbus.Rtu;

/// <summary>RTU framing (Modbus over Serial Line v1.02 §2.5.1): address, PDU, CRC low byte first.</summary>
internal static class RtuFrame
{
    /// <summary>Address + largest PDU + CRC.</summary>
    public const int MaxLength = 1 + ModbusLimits.MaxPduLength + 2;

    /// <summary>Address + function code + CRC: nothing shorter is a frame.</summary>
    public const int MinLength = 4;

    public static int Write(Span<byte> destination, byte address, ReadOnlySpan<byte> pdu)
    {
        destination[0] = address;
        pdu.CopyTo(destination[1..]);
        int length = 1 + pdu.Length;
        ModbusCrc16.Write(destination[..length], destination[length..]);
        return length + 2;
    }
}
