using Gateway.Rigs;
using System.Net;

namespace Gateway.Runtime.Ocpp;

/// <summary>Where and how the gateway's OCPP endpoint listens (the rig's <c>ocpp:</c> section).</summary>
/// <remarks>Public: <c>gateway probe</c> and <c>gateway commission</c> listen for one station with it (address, port, which stations); the security settings stay internal.</remarks>
public sealed record OcppEndpointOptions
{
    /// <summary>Address to listen on (default loopback).</summary>
    public IPAddress Address { get; init; } = IPAddress.Loopback;

    /// <summary>Port; 0 picks a free one.</summary>
    public int Port { get; init; }

    /// <summary>
    /// OCPP security profile: 0 none (loopback only: tests and the demo), 1 HTTP Basic per station, 2 TLS with the gateway's
    /// certificate and HTTP Basic per station.
    /// </summary>
    internal int SecurityProfile { get; init; }

    /// <summary>PEM certificate served over TLS (profile 2).</summary>
    internal string? CertificatePath { get; init; }

    /// <summary>PEM private key of <see cref="CertificatePath"/>.</summary>
    internal string? KeyPath { get; init; }

    /// <summary>Password hash per station id (<see cref="PasswordHash"/>); profiles 1 and 2 admit only these stations.</summary>
    internal IReadOnlyDictionary<string, string> PasswordHashes { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Stations the rig names; others are refused (404) unless <see cref="AdmitUnknownStations"/>.</summary>
    public IReadOnlySet<string> Stations { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Admit any station id (a probe listening for whatever connects); never with a security profile.</summary>
    public bool AdmitUnknownStations { get; init; }

    /// <summary>Subprotocols offered, in order of preference.</summary>
    internal IReadOnlyList<string> Subprotocols { get; init; } = Gateway.Drivers.Ocpp.OcppVersions.Subprotocols;

    /// <summary>Checks the options; returns them.</summary>
    /// <exception cref="ArgumentException">A combination that would leave the endpoint less safe than it claims; the message says which.</exception>
    internal OcppEndpointOptions Validate()
    {
        if (Port is < 0 or > 65535) throw new ArgumentException($"port {Port} is outside 0–65535");
        if (SecurityProfile is < 0 or > 2) throw new ArgumentException($"security profile {SecurityProfile} is not supported (0, 1 or 2)");
        if (SecurityProfile == 0 && !IPAddress.IsLoopback(Address))
            throw new ArgumentException($"an OCPP endpoint on {Address} needs security profile 1 or 2 (Basic auth per station, TLS); profile 0 is for loopback only");
        if (SecurityProfile == 2 && CertificatePath is null) throw new ArgumentException("security profile 2 needs the gateway's TLS certificate (certificate, key)");
        if (SecurityProfile < 2 && CertificatePath is not null) throw new ArgumentException("a TLS certificate is given: that is security profile 2");
        if (SecurityProfile > 0 && AdmitUnknownStations) throw new ArgumentException("with a security profile only stations with a password are admitted");
        if (SecurityProfile > 0)
            foreach (var station in Stations)
                if (!PasswordHashes.ContainsKey(station)) throw new ArgumentException($"station '{station}' has no password hash (security profile {SecurityProfile})");
        foreach (var (station, hash) in PasswordHashes)
            if (!PasswordHash.TryParse(hash, out var problem)) throw new ArgumentException($"station '{station}': {problem}");
        return this;
    }
}
