using System.Globalization;

namespace Gateway.Drivers.Devices.Mqtt;

/// <summary>
/// Where an MQTT broker listens, as rigs and the probe write it: <c>mqtt://HOST:PORT</c>
/// (<c>mqtt://HOST</c> means port 1883), or bare <c>HOST:PORT</c> in a rig's endpoint.
/// </summary>
/// <param name="Host">Host name or address (IPv6 without brackets).</param>
/// <param name="Port">TCP port, 1–65535.</param>
public sealed record MqttBrokerAddress(string Host, int Port)
{
    /// <summary>The default MQTT port.</summary>
    public const int DefaultPort = 1883;

    /// <summary>Parses <paramref name="text"/>; <paramref name="error"/> says what is wrong otherwise.</summary>
    public static bool TryParse(string? text, out MqttBrokerAddress? address, out string error)
    {
        address = null;
        error = "";
        if (string.IsNullOrWhiteSpace(text)) { error = "the broker address is empty (expected mqtt://HOST:PORT)"; return false; }
        var rest = text;
        var explicitScheme = false;
        var scheme = text.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            if (!string.Equals(text[..scheme], "mqtt", StringComparison.OrdinalIgnoreCase))
            {
                error = $"'{text}' is not an MQTT broker address: the scheme must be mqtt:// (mqtts:// is not supported for devices)";
                return false;
            }
            rest = text[(scheme + 3)..].TrimEnd('/');
            explicitScheme = true;
        }
        if (rest.Contains('/') || rest.Contains('?')) { error = $"'{text}' has a path or query; a broker address is mqtt://HOST:PORT"; return false; }
        string host;
        var port = DefaultPort;
        var colon = rest.LastIndexOf(':');
        var bracketed = rest.StartsWith('[');
        if (colon > 0 && (!bracketed || rest.LastIndexOf(']') < colon))
        {
            host = rest[..colon];
            if (!int.TryParse(rest[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
            {
                error = $"'{text}': the port '{rest[(colon + 1)..]}' is not 1–65535";
                return false;
            }
        }
        else if (explicitScheme)
        {
            host = rest;
        }
        else
        {
            error = $"'{text}' is not HOST:PORT (or mqtt://HOST:PORT)";
            return false;
        }
        host = host.Trim('[', ']');
        if (host.Length == 0) { error = $"'{text}' has no host"; return false; }
        address = new MqttBrokerAddress(host, port);
        return true;
    }

    /// <summary>Parses <paramref name="text"/>.</summary>
    /// <exception cref="FormatException">Not a broker address; the message says why.</exception>
    public static MqttBrokerAddress Parse(string text) =>
        TryParse(text, out var address, out var error) ? address! : throw new FormatException(error);

    /// <inheritdoc />
    public override string ToString() => Host.Contains(':') ? $"mqtt://[{Host}]:{Port}" : $"mqtt://{Host}:{Port}";
}
