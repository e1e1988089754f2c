using System.Buffers.Text;
using System.Text;

namespace Gateway.Bench.Mqtt;

/// <summary>
/// The bench's message: one 64-byte ASCII line "send-time-µs sequence xxx…", so mosquitto_pub -l sends exactly the
/// bytes the .NET clients send and every receiver can compute the latency from the payload alone. The send time is
/// wall time (CLOCK_REALTIME, what mosquitto_sub's %U prints), taken when the message is handed to the client.
/// </summary>
internal static class MqttBenchPayload
{
    /// <summary>Payload size in bytes (without the newline mosquitto_pub -l strips).</summary>
    public const int Bytes = 64;

    /// <summary>The sequence number of warm-up messages, which are not counted.</summary>
    public const int WarmUpSequence = 99_999_999;

    /// <summary>Wall time in microseconds since the Unix epoch.</summary>
    public static long NowMicroseconds() => (TimeProvider.System.GetUtcNow().UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    /// <summary>The line for message <paramref name="sequence"/>, stamped now.</summary>
    public static string Line(int sequence)
    {
        var head = $"{NowMicroseconds():D16} {sequence:D8} ";
        return head + new string('x', Bytes - head.Length);
    }

    /// <summary>The payload bytes for message <paramref name="sequence"/>, stamped now.</summary>
    public static byte[] Create(int sequence) => Encoding.ASCII.GetBytes(Line(sequence));

    /// <summary>Read the send time and sequence back.</summary>
    public static (long SentMicroseconds, int Sequence) Parse(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < 26 || !Utf8Parser.TryParse(payload[..16], out long sent, out _) || !Utf8Parser.TryParse(payload[17..25], out int sequence, out _))
            throw new FormatException($"not a bench payload: \"{Encoding.ASCII.GetString(payload[..Math.Min(payload.Length, 40)])}\"");
        return (sent, sequence);
    }
}
