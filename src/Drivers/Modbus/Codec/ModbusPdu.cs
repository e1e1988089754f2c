using System.Buffers.Binary;

namespace Gateway.Drivers.Modbus.Codec;

/// <summary>Small helpers shared by the function codecs: big-endian fields, bit packing, exception PDUs.</summary>
internal static class ModbusPdu
{
    public const byte ExceptionFlag = 0x80;

    public static ushort ReadUInt16(ReadOnlySpan<byte> pdu, int offset) => BinaryPrimitives.ReadUInt16BigEndian(pdu[offset..]);

    public static void WriteUInt16(Span<byte> pdu, int offset, ushort value) => BinaryPrimitives.WriteUInt16BigEndian(pdu[offset..], value);

    public static int PackedBitBytes(int bitCount) => (bitCount + 7) / 8;

    /// <summary>Writes an exception response PDU; returns its length (2).</summary>
    public static int WriteException(Span<byte> response, byte functionCode, ModbusExceptionCode code)
    {
        response[0] = (byte)(functionCode | ExceptionFlag);
        response[1] = (byte)code;
        return 2;
    }

    public static void PackBits(ReadOnlySpan<bool> bits, Span<byte> destination)
    {
        destination[..PackedBitBytes(bits.Length)].Clear();
        for (int i = 0; i < bits.Length; i++)
        {
            if (bits[i])
            {
                destination[i >> 3] |= (byte)(1 << (i & 7));
            }
        }
    }

    public static void UnpackBits(ReadOnlySpan<byte> source, Span<bool> bits)
    {
        for (int i = 0; i < bits.Length; i++)
        {
            bits[i] = (source[i >> 3] & (1 << (i & 7))) != 0;
        }
    }

    public static void WriteRegisters(ReadOnlySpan<ushort> values, Span<byte> destination)
    {
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination[(2 * i)..], values[i]);
        }
    }

    public static void ReadRegisters(ReadOnlySpan<byte> source, Span<ushort> values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadUInt16BigEndian(source[(2 * i)..]);
        }
    }

    /// <summary>
    /// Checks the start of a response PDU: the exception flag (→ <see cref="ModbusDeviceException"/>)
    /// or a function code that is not the one asked for (→ <see cref="ModbusProtocolException"/>).
    /// </summary>
    public static void CheckResponseHeader(ReadOnlySpan<byte> response, byte unitId, ModbusFunctionCode expected)
    {
        if (response.Length == 0)
        {
            throw new ModbusProtocolException("Empty response PDU (Modbus Application Protocol v1.1b3 §4.1: a PDU holds at least the function code).");
        }

        byte functionCode = response[0];
        if (functionCode == ((byte)expected | ExceptionFlag))
        {
            if (response.Length != 2)
            {
                throw new ModbusProtocolException($"Exception response of {response.Length} bytes; §7 of Modbus Application Protocol v1.1b3 defines exactly 2 (function | 0x80, code).");
            }

            throw new ModbusDeviceException(unitId, (byte)expected, (ModbusExceptionCode)response[1]);
        }

        if (functionCode != (byte)expected)
        {
            throw new ModbusProtocolException($"Response function code 0x{functionCode:X2} does not match request 0x{(byte)expected:X2} (Modbus Application Protocol v1.1b3 §4.1).");
        }
    }

    public static void CheckLength(ReadOnlySpan<byte> response, int expected, ModbusFunctionCode function, string clause)
    {
        if (response.Length != expected)
        {
            throw new ModbusProtocolException($"{function} response PDU is {response.Length} bytes, expected {expected} (Modbus Application Protocol v1.1b3 {clause}).");
        }
    }
}
