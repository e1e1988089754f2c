using System.Globalization;
using System.Text;
using Gateway.LedgerClient.Fabric.Protos;
using Google.Protobuf;

namespace Gateway.LedgerClient.Fabric.Grpc;

/// <summary>Encoding and decoding of the gRPC-over-HTTP/2 header and trailer values this client uses.</summary>
public static class GrpcHeaders
{
    /// <summary>Content type of gRPC requests and responses (protobuf is the default subtype).</summary>
    public const string ContentType = "application/grpc";

    /// <summary>
    /// The <c>grpc-timeout</c> value for a deadline: at most 8 digits and a unit. Milliseconds when they fit,
    /// else seconds; rounded up so the server never sees a shorter deadline than the client's.
    /// </summary>
    public static string FormatTimeout(TimeSpan timeout)
    {
        if (timeout <= TimeSpan.Zero)
        {
            return "1n";
        }
        var milliseconds = (long)Math.Ceiling(timeout.TotalMilliseconds);
        if (milliseconds <= 99_999_999)
        {
            return milliseconds.ToString(CultureInfo.InvariantCulture) + "m";
        }
        var seconds = Math.Min((long)Math.Ceiling(timeout.TotalSeconds), 99_999_999);
        return seconds.ToString(CultureInfo.InvariantCulture) + "S";
    }

    /// <summary>Parses a <c>grpc-timeout</c> value; false when it is malformed.</summary>
    public static bool TryParseTimeout(string? value, out TimeSpan timeout)
    {
        timeout = default;
        if (string.IsNullOrEmpty(value) || value.Length < 2 || value.Length > 9)
        {
            return false;
        }
        if (!long.TryParse(value.AsSpan(0, value.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var amount))
        {
            return false;
        }
        long? ticks = value[^1] switch
        {
            'H' => amount * TimeSpan.TicksPerHour,
            'M' => amount * TimeSpan.TicksPerMinute,
            'S' => amount * TimeSpan.TicksPerSecond,
            'm' => amount * TimeSpan.TicksPerMillisecond,
            'u' => amount * 10,
            'n' => amount / 100,
            _ => null,
        };
        if (ticks is null)
        {
            return false;
        }
        timeout = TimeSpan.FromTicks(ticks.Value);
        return true;
    }

    /// <summary>Percent-encodes a status message as <c>grpc-message</c> requires (UTF-8; bytes outside 0x20–0x7E and '%' escaped).</summary>
    public static string EncodeMessage(string message)
    {
        var builder = new StringBuilder(message.Length);
        foreach (var b in Encoding.UTF8.GetBytes(message))
        {
            if (b >= 0x20 && b <= 0x7E && b != (byte)'%')
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }
        return builder.ToString();
    }

    /// <summary>Decodes a percent-encoded <c>grpc-message</c>; malformed escapes are kept as they are.</summary>
    public static string DecodeMessage(string? encoded)
    {
        if (string.IsNullOrEmpty(encoded))
        {
            return "";
        }
        var bytes = new List<byte>(encoded.Length);
        for (var i = 0; i < encoded.Length; i++)
        {
            if (encoded[i] == '%' && i + 2 < encoded.Length
                && byte.TryParse(encoded.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var escaped))
            {
                bytes.Add(escaped);
                i += 2;
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(encoded[i].ToString()));
            }
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    /// <summary>Parses a <c>grpc-status</c> value; an unparseable one is <see cref="GrpcStatusCode.Unknown"/>.</summary>
    public static GrpcStatusCode ParseStatus(string? value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var code) && code is >= 0 and <= 16
            ? (GrpcStatusCode)code
            : GrpcStatusCode.Unknown;

    /// <summary>
    /// Decodes <c>grpc-status-details-bin</c> (base64, padding optional, of a <c>google.rpc.Status</c>) and returns the
    /// <c>gateway.ErrorDetail</c> entries; other detail types are ignored. Empty when absent or undecodable, since
    /// the details only enrich an error that is reported anyway.
    /// </summary>
    public static IReadOnlyList<GatewayErrorDetail> DecodeDetails(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return [];
        }
        try
        {
            var padded = value.Trim();
            padded += new string('=', (4 - padded.Length % 4) % 4);
            var status = Status.Parser.ParseFrom(Convert.FromBase64String(padded));
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
        catch (Exception e) when (e is FormatException or InvalidProtocolBufferException)
        {
            return [];
        }
    }
}
