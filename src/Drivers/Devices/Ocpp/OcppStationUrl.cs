using System.Diagnostics.CodeAnalysis;

namespace Gateway.Drivers.Devices.Ocpp;

/// <summary>
/// Where a charging station dials the gateway: <c>ws://HOST:PORT/ocpp/STATION</c> (<c>wss://</c> with TLS). The gateway listens on
/// HOST:PORT; the last segment is the station's identity.
/// </summary>
/// <param name="Tls">Whether it is <c>wss://</c>.</param>
/// <param name="Host">The gateway's address.</param>
/// <param name="Port">The gateway's port.</param>
/// <param name="StationId">The station's identity.</param>
public sealed record OcppStationUrl(bool Tls, string Host, int Port, string StationId)
{
    /// <summary>The path stations connect under; the station id follows it.</summary>
    public const string PathPrefix = "/ocpp/";

    /// <summary>The endpoint's authority, <c>HOST:PORT</c>.</summary>
    public string Authority => Host.Contains(':') ? $"[{Host}]:{Port}" : $"{Host}:{Port}";

    /// <summary>The URL the station dials.</summary>
    public override string ToString() => $"{(Tls ? "wss" : "ws")}://{Authority}{PathPrefix}{Uri.EscapeDataString(StationId)}";

    /// <summary>Reads <paramref name="text"/>; false with the problem in words when it is not a station URL.</summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out OcppStationUrl? url, [NotNullWhen(false)] out string? problem)
    {
        url = null;
        problem = null;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("ws" or "wss"))
        {
            problem = $"'{text}' is not an OCPP station URL: write ws://HOST:PORT{PathPrefix}STATION-ID (wss:// with TLS)";
            return false;
        }
        if (uri.IsDefaultPort || uri.Port is < 0 or > 65535)
        {
            problem = $"'{text}' has no port: write ws://HOST:PORT{PathPrefix}STATION-ID";
            return false;
        }
        var path = uri.AbsolutePath;
        var id = path.StartsWith(PathPrefix, StringComparison.Ordinal) ? Uri.UnescapeDataString(path[PathPrefix.Length..]) : "";
        if (id.Length is 0 or > 48 || id.Contains('/') || id.Contains(':') || uri.Query.Length > 0)
        {
            problem = $"'{text}' names no station: the path is {PathPrefix}STATION-ID (1–48 characters, no '/' or ':')";
            return false;
        }
        url = new OcppStationUrl(uri.Scheme == "wss", uri.Host.Trim('[', ']'), uri.Port, id);
        return true;
    }
}
