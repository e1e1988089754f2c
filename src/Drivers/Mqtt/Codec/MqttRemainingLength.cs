using System.Buffers;

namespace Gateway.Drivers.Mqtt.Codec;

/// <summary>
/// The fixed header's variable-length integer (MQTT 3.1.1 §2.2.3): 7 bits per byte, least significant group first,
/// bit 7 set when another byte follows, at most 4 bytes, so at most 268,435,455.
/// </summary>
public static class MqttRemainingLength
{
    /// <summary>Largest value four bytes can carry.</summary>
    public const int MaxValue = 268_435_455;

    /// <summary>Bytes needed to encode <paramref name="value"/> (1–4).</summary>
    public static int SizeOf(int value) => value switch
    {
        < 0 or > MaxValue => throw new ArgumentOutOfRangeException(nameof(value), value, $"remaining length must be 0..{MaxValue}"),
        < 128 => 1,
        < 16_384 => 2,
        < 2_097_152 => 3,
        _ => 4,
    };

    /// <summary>Write <paramref name="value"/> into <paramref name="destination"/>; returns the bytes written.</summary>
    public static int Write(Span<byte> destination, int value)
    {
        var size = SizeOf(value);
        for (var i = 0; i < size; i++)
        {
            var digit = (byte)(value & 0x7F);
            value >>= 7;
            destination[i] = i < size - 1 ? (byte)(digit | 0x80) : digit;
        }
        return size;
    }

    /// <summary>Read a remaining length from the start of <paramref name="source"/>.</summary>
    /// <returns><see cref="OperationStatus.NeedMoreData"/> if the source ends before the last byte.</returns>
    /// <exception cref="MqttProtocolException">A fifth byte would be needed.</exception>
    public static OperationStatus TryRead(ReadOnlySpan<byte> source, out int value, out int bytesRead)
    {
        value = 0;
        bytesRead = 0;
        for (var i = 0; i < 4; i++)
        {
            if (i >= source.Length) return OperationStatus.NeedMoreData;
            var b = source[i];
            value |= (b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0)
            {
                bytesRead = i + 1;
                return OperationStatus.Done;
            }
        }
        throw new MqttProtocolException(
            "malformed remaining length: the fourth byte has its continuation bit set, a fifth byte is not allowed (max 268,435,455)",
            "MQTT-2.2.3");
    }
}
