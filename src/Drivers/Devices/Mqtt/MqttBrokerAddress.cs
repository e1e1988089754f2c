using System.Globalization;

namespace Gateway.Drivers.Devices.Mqtt;

/// <summary>
/// Where an MQTT broker listens, as rigs and the probe write it: <c>mqtt://HOST:PORT</c>
/// (<c>mqtt://HOST</c> means port 1883), <c>mqtts://HOST:PORT</c> for TLS (8883 by default), or bare
/// <c>HOST:PORT</c> in a rig's endpoint. A user (and password) may stand before the host,
/// <c>mqtt://USER:PASSWORD@HOST:PORT</c>; <see cref="ToString"/> never shows the password.
/// </summary>
/// <param name="Host">Host name or address (IPv6 without brackets).</param>
/// <param name="Port">TCP port, 1–65535.</param>
public sealed record MqttBrokerAddress(string Host, int Port)
{
    /// <summary>The default MQTT port.</summary>
    public const int DefaultPort = 1883;

    /// <summary>The default MQTT-over-TLS port.</summary>
    public const int DefaultTlsPort = 8883;

    /// <summary>True for <c>mqtts://</c>: the connection speaks TLS.</summary>
    public bool UseTls { get; init; }

    /// <summary>User name given in the address (<c>mqtt://USER@HOST</c>), or null.</summary>
    public string? UserName { get; init; }

    /// <summary>Password given in the address (<c>mqtt://USER:PASSWORD@HOST</c>), or null. Never printed.</summary>
    public string? Password { get; init; }

    /// <summary>The address without user and password (what logs and connection keys use).</summary>
    public MqttBrokerAddress WithoutCredentials() => this with { UserName = null, Password = null };

    /// <summary>Parses <paramref name="text"/>; <paramref name="error"/> says what is wrong otherwise.</summary>
    public static bool TryParse(string? text, out MqttBrokerAddress? address, out string error)
    {
        address = null;
        error = "";
        if (string.IsNullOrWhiteSpace(text)) { error = "the broker address is empty (expected mqtt://HOST:PORT)"; return false; }
        var rest = text;
        var explicitScheme = false;
        var tls = false;
        var scheme = text.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            tls = string.Equals(text[..scheme], "mqtts", StringComparison.OrdinalIgnoreCase);
            if (!tls && !string.Equals(text[..scheme], "mqtt", StringComparison.OrdinalIgnoreCase))
            {
                error = $"'{Mask(text)}' is not an MQTT broker address: the scheme must be mqtt:// or mqtts:// (TLS)";
                return false;
            }
            rest = text[(scheme + 3)..].TrimEnd('/');
            explicitScheme = true;
        }
        string? user = null, password = null;
        var at = rest.LastIndexOf('@');
        if (at >= 0)
        {
            var info = rest[..at];
            rest = rest[(at + 1)..];
            var colonInInfo = info.IndexOf(':');
            user = Uri.UnescapeDataString(colonInInfo >= 0 ? info[..colonInInfo] : info);
            password = colonInInfo >= 0 ? Uri.UnescapeDataString(info[(colonInInfo + 1)..]) : null;
            if (user.Length == 0) { error = $"'{Mask(text)}' has a password but no user name [MQTT-3.1.2-22]"; return false; }
        }
        if (rest.Contains('/') || rest.Contains('?')) { error = $"'{Mask(text)}' has a path or query; a broker address is mqtt://HOST:PORT"; return false; }
        string host;
        var port = tls ? DefaultTlsPort : DefaultPort;
        var colon = rest.LastIndexOf(':');
        var bracketed = rest.StartsWith('[');
        if (colon > 0 && (!bracketed || rest.LastIndexOf(']') < colon))
        {
            host = rest[..colon];
            if (!int.TryParse(rest[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
            {
                error = $"'{Mask(text)}': the port '{rest[(colon + 1)..]}' is not 1–65535";
                return false;
            }
        }
        else if (explicitScheme)
        {
            host = rest;
        }
        else
        {
            error = $"'{Mask(text)}' is not HOST:PORT (or mqtt://HOST:PORT)";
            return false;
        }
        host = host.Trim('[', ']');
        if (host.Length == 0) { error = $"'{Mask(text)}' has no host"; return false; }
        address = new MqttBrokerAddress(host, port) { UseTls = tls, UserName = user, Password = password };
        return true;
    }

    /// <summary>Parses <paramref name="text"/>.</summary>
    /// <exception cref="FormatException">Not a broker address; the message says why.</exception>
    public static MqttBrokerAddress Parse(string text) =>
        TryParse(text, out var address, out var error) ? address! : throw new FormatException(error);

    /// <summary>The address as written in rigs, with the user but never the password.</summary>
    public override string ToString()
    {
        var scheme = UseTls ? "mqtts" : "mqtt";
        var user = UserName is null ? "" : Uri.EscapeDataString(UserName) + "@";
        return Host.Contains(':') ? $"{scheme}://{user}[{Host}]:{Port}" : $"{scheme}://{user}{Host}:{Port}";
    }

    /// <summary>Hide a password written in an address (<c>mqtt://user:***@host</c>) before it goes into a message.</summary>
    public static string Mask(string text)
    {
        var scheme = text.IndexOf("://", StringComparison.Ordinal);
        var at = text.LastIndexOf('@');
        if (scheme < 0 || at < scheme) return text;
        var colon = text.IndexOf(':', scheme + 3);
        return colon >= 0 && colon < at ? text[..(colon + 1)] + "***" + text[at..] : text;
    }
}
