using System.Net;
using Gateway.Runtime.Status;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gateway.Runtime.Operator;

/// <summary>
/// The operator dashboard: a small Kestrel app serving the status board as JSON (<c>/api/status</c>, <c>/api/rounds</c>,
/// <c>/api/devices</c>), taking authenticated acknowledgements (<c>POST /api/rounds/{id}/ack</c>), and one self-contained
/// HTML page at <c>/</c>. On 127.0.0.1 by default (a field engineer reaches it on the site box or through an SSH tunnel);
/// any other address only with HTTPS and operator credentials. It never handles process signals: the gateway's run loop does.
/// </summary>
internal sealed class DashboardServer : IAsyncDisposable
{
    private readonly GatewayStatusBoard _board;
    private readonly DashboardOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILoggerFactory? _loggerFactory;
    private WebApplication? _app;
    private DashboardEndpoints? _endpoints;

    /// <summary>Create a dashboard over <paramref name="board"/>; nothing listens until <see cref="StartAsync"/>.</summary>
    /// <param name="board">The status board the worker reports to.</param>
    /// <param name="options">Port and listing defaults.</param>
    /// <param name="clock">Stamps acknowledgements made from the dashboard.</param>
    /// <param name="loggerFactory">Receives request errors; none when null.</param>
    public DashboardServer(GatewayStatusBoard board, DashboardOptions? options = null, TimeProvider? clock = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(board);
        _options = options ?? new DashboardOptions();
        _options.Validate();
        _board = board;
        _clock = clock ?? TimeProvider.System;
        _loggerFactory = loggerFactory;
    }

    /// <summary>The address the dashboard listens on, e.g. <c>http://127.0.0.1:8080</c>; set by <see cref="StartAsync"/>.</summary>
    public Uri Url { get; private set; } = new("http://127.0.0.1/");

    /// <summary>The certificate served over HTTPS (null for plain HTTP on loopback).</summary>
    public X509Certificate2? Certificate { get; private set; }

    /// <summary>Bind the configured address and port and start serving.</summary>
    /// <exception cref="IOException">The port is taken (the message names it).</exception>
    /// <exception cref="System.Security.Cryptography.CryptographicException">The certificate or key does not load.</exception>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (_app is not null) throw new InvalidOperationException("the dashboard is already started");
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = typeof(DashboardServer).Assembly.GetName().Name, Args = [] });
        builder.Logging.ClearProviders();
        if (_loggerFactory is not null) builder.Services.AddSingleton(_loggerFactory);
        // The web host's default lifetime would take SIGTERM and Ctrl+C for itself (stopping the dashboard and swallowing the
        // signal while the gateway kept trading): the gateway's run loop owns the signals and stops the dashboard last.
        builder.Services.AddSingleton<IHostLifetime, Worker.SignalFreeLifetime>();
        if (_options.CertificatePath is { } certificatePath)
            Certificate = X509Certificate2.CreateFromPemFile(certificatePath, _options.KeyPath);
        builder.WebHost.UseKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(_options.Address, _options.Port, listen =>
            {
                if (Certificate is { } certificate) listen.UseHttps(certificate);
            });
            kestrel.Limits.MaxRequestBodySize = 64 * 1024;
        });
        var app = builder.Build();
        _endpoints = new DashboardEndpoints(_board, _options, _clock, _loggerFactory?.CreateLogger<DashboardServer>());
        _endpoints.Map(app);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new IOException($"the dashboard cannot listen on {_options.Address}:{_options.Port}: {e.Message}", e);
        }
        _app = app;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Url = new Uri(address.EndsWith('/') ? address : address + "/");
        _endpoints!.ListenPort = Url.Port;
    }

    /// <summary>Stop serving (in-flight requests get a moment to finish).</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (_app is null) return;
        await _app.StopAsync(cancellationToken).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _app = null;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);
}
