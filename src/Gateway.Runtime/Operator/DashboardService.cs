using Gateway.Rigs;
using Gateway.Runtime.Status;
using Gateway.Runtime.Worker;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Runtime.Operator;

/// <summary>Serves the operator dashboard while the gateway runs, when the rig asks for one (<c>operator.dashboard</c>).</summary>
internal sealed class DashboardService(GatewayStatusBoard board, IOptions<DashboardOptions> options, GatewayClocks clocks, ILoggerFactory loggers) : IHostedService
{
    private readonly ILogger _logger = loggers.CreateLogger("gateway");

    /// <summary>The dashboard, once started.</summary>
    public DashboardServer? Server { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var server = new DashboardServer(board, options.Value, clocks.Wall, loggers);
        await server.StartAsync(cancellationToken).ConfigureAwait(false);
        Server = server;
        var who = options.Value.Credentials.Any ? "operators: " + string.Join(", ", options.Value.Credentials.OperatorNames) : "no operator credentials: read-only, nobody can acknowledge";
        if (server.Certificate is { } cert)
            _logger.LogWarning("dashboard on {Url} over HTTPS (certificate {Subject}, valid until {Expiry:yyyy-MM-dd}), reachable beyond this machine; {Who}",
                server.Url, cert.Subject, cert.NotAfter, who);
        else
            _logger.LogInformation("dashboard on {Url} (loopback only); {Who}", server.Url, who);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Server is not null) await Server.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>What the dashboard listens with, from the rig.</summary>
    public static DashboardOptions OptionsOf(RigOperator op)
    {
        var (host, port) = Devices.DeviceConnector.SplitHostPortAllowingZero(op.DashboardListen!);
        var address = host is "localhost" ? System.Net.IPAddress.Loopback : System.Net.IPAddress.Parse(host.Trim('[', ']'));
        return new DashboardOptions
        {
            Address = address, Port = port, CertificatePath = op.DashboardTls?.CertificatePath, KeyPath = op.DashboardTls?.KeyPath,
            AllowedHosts = op.DashboardHosts, Credentials = op.Credentials,
        };
    }
}
