namespace Gateway.Host.Operator;

/// <summary>Settings of the operator dashboard; checked by <see cref="Validate"/> at start.</summary>
public sealed class DashboardOptions
{
    /// <summary>TCP port on 127.0.0.1; 0 picks a free port (read the actual one from <see cref="DashboardServer.Url"/>).</summary>
    public int Port { get; init; } = 8080;

    /// <summary>Rounds returned by <c>GET /api/rounds</c> when no <c>limit</c> is given.</summary>
    public int DefaultRoundsListed { get; init; } = 24;

    /// <summary>Throw <see cref="ArgumentException"/> naming every invalid setting.</summary>
    public void Validate()
    {
        var errors = new List<string>();
        if (Port is < 0 or > 65535) errors.Add($"Port must be 0..65535 (0 = a free port), got {Port}");
        if (DefaultRoundsListed < 1) errors.Add($"DefaultRoundsListed must be at least 1, got {DefaultRoundsListed}");
        if (errors.Count > 0) throw new ArgumentException("invalid dashboard options: " + string.Join("; ", errors));
    }
}
