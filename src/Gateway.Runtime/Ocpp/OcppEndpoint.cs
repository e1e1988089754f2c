using Gateway.Rigs;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Gateway.Drivers.Devices.Ocpp;
using Gateway.Drivers.Ocpp;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Runtime.Ocpp;

/// <summary>
/// The gateway's local OCPP endpoint: charging stations connect to it as to their CSMS, at <c>ws[s]://HOST:PORT/ocpp/{stationId}</c>
/// with subprotocol <c>ocpp2.1</c> or <c>ocpp2.0.1</c>. Each connection becomes an <see cref="OcppRpcConnection"/> attached to its
/// station in the <see cref="OcppStationRegistry"/>, where the OCPP charger drivers find it.
/// </summary>
/// <remarks>
/// Security profile 1: HTTP Basic per station (user = station id, password checked against the rig's hash); profile 2: the same
/// over TLS with the gateway's certificate. Unknown stations get 404, wrong passwords 401, no common subprotocol 400 — before the
/// WebSocket upgrade, so nothing of a refused station reaches the market.
/// Public: <c>gateway probe</c> and <c>gateway commission</c> listen for a station with it, without a gateway.
/// </remarks>
public sealed class OcppEndpoint : IAsyncDisposable
{
    /// <summary>The path stations connect under; the station id follows it.</summary>
    internal const string PathPrefix = OcppStationUrl.PathPrefix;

    private readonly OcppEndpointOptions _options;
    private readonly ILogger _logger;
    private readonly OcppRpcOptions _rpcOptions;
    private readonly SemaphoreSlim _startLock = new(1, 1);
    private WebApplication? _app;
    private long _refused;

    /// <summary>Creates the endpoint; nothing listens until <see cref="StartAsync"/>.</summary>
    /// <param name="registry">Where connected stations are attached.</param>
    /// <param name="options">Address, security; validated here.</param>
    /// <param name="rpcOptions">Waits and limits of each connection.</param>
    /// <param name="logger">Receives connects, refusals and malformed frames.</param>
    public OcppEndpoint(OcppStationRegistry registry, OcppEndpointOptions options, OcppRpcOptions? rpcOptions = null, ILogger? logger = null)
    {
        Registry = registry;
        _options = options.Validate();
        _rpcOptions = (rpcOptions ?? new OcppRpcOptions()).Validate();
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The stations.</summary>
    internal OcppStationRegistry Registry { get; }

    /// <summary>The base URL stations connect to (station id appended), e.g. <c>ws://127.0.0.1:9000/ocpp/</c>; set by <see cref="StartAsync"/>.</summary>
    public Uri Url { get; private set; } = new("ws://127.0.0.1/ocpp/");

    /// <summary>Connection attempts refused (unknown station, bad credentials, no common subprotocol, not a WebSocket).</summary>
    internal long Refused => Interlocked.Read(ref _refused);

    /// <summary>Starts the endpoint unless it is already listening (the drivers call it before each use).</summary>
    /// <exception cref="IOException">The port is taken, or the options do not hold (the message says which).</exception>
    internal async Task EnsureStartedAsync(CancellationToken cancellationToken = default)
    {
        if (_app is not null) return;
        await _startLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_app is not null) return;
            try
            {
                _options.Validate();
            }
            catch (ArgumentException e)
            {
                throw new IOException($"the OCPP endpoint cannot start: {e.Message}", e);
            }
            await StartAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _startLock.Release();
        }
    }

    /// <summary>Binds the address and starts accepting stations.</summary>
    /// <exception cref="IOException">The port is taken (the message names it).</exception>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (_app is not null) throw new InvalidOperationException("the OCPP endpoint is already started");
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = typeof(OcppEndpoint).Assembly.GetName().Name, Args = [] });
        builder.Logging.ClearProviders();
        // The gateway's run loop owns SIGTERM/Ctrl+C, not the web host.
        builder.Services.AddSingleton<IHostLifetime, QuietLifetime>();
        X509Certificate2? certificate = _options.CertificatePath is { } path ? X509Certificate2.CreateFromPemFile(path, _options.KeyPath) : null;
        builder.WebHost.UseKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(_options.Address, _options.Port, listen =>
            {
                if (certificate is not null) listen.UseHttps(certificate);
            });
            kestrel.Limits.MaxRequestBodySize = 16 * 1024;
        });
        var app = builder.Build();
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(30) });
        app.Map(PathPrefix + "{stationId}", AcceptAsync);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new IOException($"the OCPP endpoint cannot listen on {_options.Address}:{_options.Port}: {e.Message}", e);
        }
        _app = app;
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        Url = new Uri($"{(certificate is null ? "ws" : "wss")}://{address.Authority}{PathPrefix}");
        _logger.LogInformation("OCPP endpoint on {Url} (security profile {Profile})", Url, _options.SecurityProfile);
    }

    /// <summary>Closes every station connection and stops listening.</summary>
    internal async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (_app is null) return;
        foreach (var station in Registry.All)
            if (station.Connection is { } connection)
                await connection.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.EndpointUnavailable, "the gateway stops", cancellationToken).ConfigureAwait(false);
        await _app.StopAsync(cancellationToken).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _app = null;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    private async Task AcceptAsync(HttpContext context)
    {
        var stationId = (string?)context.Request.RouteValues["stationId"] ?? "";
        if (stationId.Length is 0 or > 48 || stationId.Contains(':'))
        {
            await RefuseAsync(context, StatusCodes.Status400BadRequest, $"'{Clip(stationId)}' is not a station identity (1–48 characters, no ':')").ConfigureAwait(false);
            return;
        }
        if (!_options.AdmitUnknownStations && !_options.Stations.Contains(stationId))
        {
            await RefuseAsync(context, StatusCodes.Status404NotFound, $"station '{stationId}' is not in the rig").ConfigureAwait(false);
            return;
        }
        if (_options.SecurityProfile > 0 && !Authorized(context, stationId))
        {
            context.Response.Headers.WWWAuthenticate = "Basic realm=\"ocpp\", charset=\"UTF-8\"";
            await RefuseAsync(context, StatusCodes.Status401Unauthorized, $"station '{stationId}' gave no or wrong credentials").ConfigureAwait(false);
            return;
        }
        if (!context.WebSockets.IsWebSocketRequest)
        {
            await RefuseAsync(context, StatusCodes.Status400BadRequest, $"station '{stationId}': not a WebSocket upgrade").ConfigureAwait(false);
            return;
        }
        var offered = context.WebSockets.WebSocketRequestedProtocols;
        var chosen = _options.Subprotocols.FirstOrDefault(p => offered.Contains(p, StringComparer.Ordinal));
        if (chosen is null || !OcppVersions.TryParse(chosen, out var version))
        {
            await RefuseAsync(context, StatusCodes.Status400BadRequest,
                $"station '{stationId}' offered [{string.Join(", ", offered)}]; the gateway speaks {string.Join(", ", _options.Subprotocols)}").ConfigureAwait(false);
            return;
        }
        using var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext { SubProtocol = chosen }).ConfigureAwait(false);
        var connection = new OcppRpcConnection(socket, version, stationId, _rpcOptions, _logger);
        var station = Registry.GetOrAdd(stationId);
        station.Attach(connection);
        _logger.LogInformation("OCPP station {Station} connected from {Remote} ({Subprotocol})", stationId, context.Connection.RemoteIpAddress, chosen);
        await connection.RunAsync(context.RequestAborted).ConfigureAwait(false);
        _logger.LogWarning("OCPP station {Station} disconnected", stationId);
    }

    private bool Authorized(HttpContext context, string stationId)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase)) return false;
        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..].Trim()));
        }
        catch (FormatException)
        {
            return false;
        }
        var colon = decoded.IndexOf(':');
        // OCPP: the Basic user name is the station's identity, the one in the URL.
        return colon > 0 && decoded[..colon] == stationId
            && _options.PasswordHashes.TryGetValue(stationId, out var hash) && PasswordHash.Verify(decoded[(colon + 1)..], hash);
    }

    private async Task RefuseAsync(HttpContext context, int status, string why)
    {
        Interlocked.Increment(ref _refused);
        _logger.LogWarning("OCPP endpoint refused {Remote}: {Why}", context.Connection.RemoteIpAddress, why);
        context.Response.StatusCode = status;
        await context.Response.WriteAsync(why + "\n").ConfigureAwait(false);
    }

    private static string Clip(string text) => text.Length <= 60 ? text : text[..59] + "…";

    private sealed class QuietLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
