using Gateway.Rigs;
using System.Net;

namespace Gateway.Runtime.Operator;

/// <summary>Settings of the operator dashboard; checked by <see cref="Validate"/> at start.</summary>
internal sealed class DashboardOptions
{
    /// <summary>Address to listen on: loopback by default. Any other address requires <see cref="CertificatePath"/> (HTTPS) and <see cref="Credentials"/>.</summary>
    public IPAddress Address { get; init; } = IPAddress.Loopback;

    /// <summary>TCP port; 0 picks a free port (read the actual one from <see cref="DashboardServer.Url"/>).</summary>
    public int Port { get; init; } = 8080;

    /// <summary>PEM certificate to serve HTTPS with (null: plain HTTP, loopback only).</summary>
    public string? CertificatePath { get; init; }

    /// <summary>PEM private key of <see cref="CertificatePath"/>.</summary>
    public string? KeyPath { get; init; }

    /// <summary>Host names accepted in the Host header besides the listen address, localhost, 127.0.0.1 and [::1] (DNS rebinding protection).</summary>
    public IReadOnlyList<string> AllowedHosts { get; init; } = [];

    /// <summary>Who may read (when any are configured) and acknowledge; without credentials nobody can acknowledge.</summary>
    public OperatorCredentials Credentials { get; init; } = OperatorCredentials.None;

    /// <summary>Rounds returned by <c>GET /api/rounds</c> when no <c>limit</c> is given.</summary>
    public int DefaultRoundsListed { get; init; } = 24;

    /// <summary>True when the dashboard listens on a loopback address only.</summary>
    public bool IsLoopback => IPAddress.IsLoopback(Address);

    /// <summary>Throw <see cref="ArgumentException"/> naming every invalid setting.</summary>
    public void Validate()
    {
        var errors = new List<string>();
        if (Port is < 0 or > 65535) errors.Add($"Port must be 0..65535 (0 = a free port), got {Port}");
        if (DefaultRoundsListed < 1) errors.Add($"DefaultRoundsListed must be at least 1, got {DefaultRoundsListed}");
        if (CertificatePath is null != KeyPath is null) errors.Add("CertificatePath and KeyPath go together");
        if (!IsLoopback && CertificatePath is null) errors.Add($"listening on {Address} (beyond loopback) needs HTTPS: set CertificatePath and KeyPath");
        if (!IsLoopback && !Credentials.Any) errors.Add($"listening on {Address} (beyond loopback) needs operator credentials");
        if (errors.Count > 0) throw new ArgumentException("invalid dashboard options: " + string.Join("; ", errors));
    }
}
