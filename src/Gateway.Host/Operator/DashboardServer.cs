using System.Net;
using Gateway.Host.Status;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.Host.Operator;

/// <summary>
/// The local operator dashboard: a small Kestrel app on 127.0.0.1 serving the status board as JSON
/// (<c>/api/status</c>, <c>/api/rounds</c>, <c>/api/devices</c>), taking acknowledgements
/// (<c>POST /api/rounds/{id}/ack</c>), and one self-contained HTML page at <c>/</c>. Loopback only: a field
/// engineer reaches it on the site box itself or through an SSH tunnel.
/// </summary>
public sealed class DashboardServer : IAsyncDisposable
{
    private readonly GatewayStatusBoard _board;
    private readonly DashboardOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILoggerFactory? _loggerFactory;
    private WebApplication? _app;

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

    /// <summary>Bind 127.0.0.1 on the configured port and start serving.</summary>
    /// <exception cref="IOException">The port is taken (the message names it).</exception>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (_app is not null) throw new InvalidOperationException("the dashboard is already started");
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = typeof(DashboardServer).Assembly.GetName().Name, Args = [] });
        builder.Logging.ClearProviders();
        if (_loggerFactory is not null) builder.Services.AddSingleton(_loggerFactory);
        builder.WebHost.UseKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, _options.Port);
            kestrel.Limits.MaxRequestBodySize = 64 * 1024;
        });
        var app = builder.Build();
        new DashboardEndpoints(_board, _options, _clock, _loggerFactory?.CreateLogger<DashboardServer>()).Map(app);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new IOException($"the dashboard cannot listen on 127.0.0.1:{_options.Port}: {e.Message}", e);
        }
        _app = app;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Url = new Uri(address.EndsWith('/') ? address : address + "/");
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
