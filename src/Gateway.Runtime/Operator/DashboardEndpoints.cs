using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Runtime.Status;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Gateway.Runtime.Operator;

/// <summary>
/// The dashboard's HTTP surface. Every error is JSON <c>{"error": "..."}</c> naming what is wrong. Every request must name
/// this dashboard in its Host header (DNS rebinding); with credentials configured every request but <c>/healthz</c> must
/// authenticate; a state-changing request must be JSON, and when a browser sends it, come from this dashboard's own
/// origin (CSRF). Acknowledgements are made by the authenticated operator, never by a name in the body.
/// </summary>
internal sealed class DashboardEndpoints
{
    private const string JsonContentType = "application/json; charset=utf-8";

    // The page may talk to this server only: no CDN, no external fetch, nothing framed elsewhere.
    private const string PagePolicy = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    private readonly GatewayStatusBoard _board;
    private readonly DashboardOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger? _logger;

    private const string OperatorItem = "gateway.operator";

    /// <summary>The port the server actually listens on (set once started), for the Host and Origin checks.</summary>
    public int ListenPort { get; set; }

    public DashboardEndpoints(GatewayStatusBoard board, DashboardOptions options, TimeProvider clock, ILogger? logger)
    {
        _board = board;
        _options = options;
        _clock = clock;
        _logger = logger;
    }

    public void Map(WebApplication app)
    {
        app.Use(GuardAsync);
        app.MapGet("/", ServePageAsync);
        app.MapGet("/healthz", ctx => WriteJsonAsync(ctx, 200, new { status = "ok", siteId = _board.SiteId, atUtc = _clock.GetUtcNow() }));
        app.MapGet("/api/status", ctx => WriteJsonAsync(ctx, 200, _board.Snapshot()));
        app.MapGet("/api/devices", ctx => WriteJsonAsync(ctx, 200, _board.Snapshot().Devices));
        app.MapGet("/api/rounds", ListRoundsAsync);
        app.MapGet("/api/rounds/{id}", GetRoundAsync);
        app.MapGet("/api/whoami", ctx => WriteJsonAsync(ctx, 200, new
        {
            @operator = ctx.Items[OperatorItem] as string,
            canAcknowledge = ctx.Items[OperatorItem] is string,
            authentication = _options.Credentials.Any ? "required" : "none configured: read-only",
        }));
        app.MapPost("/api/rounds/{id}/ack", AcknowledgeAsync);
        app.MapFallback(ctx => WriteErrorAsync(ctx, 404, $"no such resource: {ctx.Request.Method} {ctx.Request.Path}"));
    }

    private async Task GuardAsync(HttpContext context, RequestDelegate next)
    {
        try
        {
            if (CheckHost(context.Request) is { } hostError)
            {
                await WriteErrorAsync(context, 421, hostError).ConfigureAwait(false);
                return;
            }
            var who = _options.Credentials.Authenticate(context.Request.Headers.Authorization.ToString());
            if (who is not null) context.Items[OperatorItem] = who;
            var open = context.Request.Path == "/healthz";
            if (_options.Credentials.Any && who is null && !open)
            {
                context.Response.Headers.WWWAuthenticate = "Basic realm=\"gateway operators\", charset=\"UTF-8\"";
                await WriteErrorAsync(context, 401, context.Request.Headers.Authorization.Count == 0
                    ? "authentication required: a bearer token or an operator's user name and password"
                    : "the credentials were not accepted").ConfigureAwait(false);
                return;
            }
            if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method) && CheckStateChangeOrNull(context.Request) is { } refusal)
            {
                _logger?.LogWarning("dashboard refused {Method} {Path} from {Remote}: {Why}", context.Request.Method, context.Request.Path, context.Connection.RemoteIpAddress, refusal.Why);
                await WriteErrorAsync(context, refusal.Status, refusal.Why).ConfigureAwait(false);
                return;
            }
            await next(context).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e)
        {
            if (!context.Response.HasStarted) await WriteErrorAsync(context, 400, e.Message).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _logger?.LogError(e, "dashboard request {Method} {Path} failed", context.Request.Method, context.Request.Path);
            if (!context.Response.HasStarted) await WriteErrorAsync(context, 500, $"the gateway could not answer: {e.Message}").ConfigureAwait(false);
        }
    }

    private string? CheckHost(HttpRequest request)
    {
        var host = request.Host;
        if (!host.HasValue) return "the request names no Host";
        // By name only: an SSH tunnel may forward any local port to the dashboard's.
        return AllowedHostNames().Contains(host.Host, StringComparer.OrdinalIgnoreCase)
            ? null
            : $"Host '{host.Host}' is not a name of this dashboard (allowed: {string.Join(", ", AllowedHostNames())}; add it to operator.dashboardHosts)";
    }

    private IEnumerable<string> AllowedHostNames()
    {
        yield return "127.0.0.1";
        yield return "localhost";
        yield return "[::1]";
        if (!System.Net.IPAddress.Any.Equals(_options.Address) && !System.Net.IPAddress.IPv6Any.Equals(_options.Address))
            yield return _options.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{_options.Address}]" : _options.Address.ToString();
        foreach (var h in _options.AllowedHosts) yield return h;
    }

    private (int Status, string Why)? CheckStateChangeOrNull(HttpRequest request)
    {
        // A cross-site form or a fetch without CORS can carry only text/plain, form or multipart bodies: JSON only closes that door.
        var type = request.ContentType ?? "";
        if (!type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
            return (415, $"state-changing requests take application/json only, got '{(type.Length == 0 ? "no content type" : type)}'");
        var fetchSite = request.Headers["Sec-Fetch-Site"].ToString();
        if (fetchSite.Length > 0 && fetchSite is not ("same-origin" or "none"))
            return (403, $"cross-site request refused (Sec-Fetch-Site: {fetchSite})");
        var origin = request.Headers.Origin.ToString();
        if (origin.Length > 0)
        {
            if (!Uri.TryCreate(origin, UriKind.Absolute, out var o)) return (403, $"Origin '{origin}' is not a URL");
            // Same origin as the browser sees it: the Origin names the very host and port the request was sent to.
            var scheme = _options.CertificatePath is null ? "http" : "https";
            var ok = o.Scheme == scheme && string.Equals(o.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase)
                     && AllowedHostNames().Contains(o.Host.Contains(':') ? $"[{o.Host.Trim('[', ']')}]" : o.Host, StringComparer.OrdinalIgnoreCase);
            if (!ok) return (403, $"Origin '{origin}' is not this dashboard: cross-site request refused");
        }
        return null;
    }

    private static async Task ServePageAsync(HttpContext context)
    {
        context.Response.ContentType = "text/html; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.ContentSecurityPolicy = PagePolicy;
        context.Response.Headers.XContentTypeOptions = "nosniff";
        await context.Response.Body.WriteAsync(DashboardPage.Html, context.RequestAborted).ConfigureAwait(false);
    }

    private Task ListRoundsAsync(HttpContext context)
    {
        var limit = _options.DefaultRoundsListed;
        if (context.Request.Query.TryGetValue("limit", out var limitText))
        {
            if (limitText.Count != 1 || !int.TryParse(limitText[0], NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1 || limit > 1000)
                return WriteErrorAsync(context, 400, $"limit must be an integer 1..1000, got '{limitText}'");
        }
        var snapshot = _board.Snapshot();
        var rounds = new JsonArray();
        foreach (var round in snapshot.Rounds.Reverse().Take(limit)) rounds.Add(RoundWithAcknowledgement(round, snapshot));
        return WriteJsonAsync(context, 200, rounds);
    }

    private Task GetRoundAsync(HttpContext context)
    {
        var roundId = (string)context.GetRouteValue("id")!;
        var snapshot = _board.Snapshot();
        var round = snapshot.Rounds.FirstOrDefault(r => r.RoundId == roundId);
        return round is null
            ? WriteErrorAsync(context, 404, $"unknown round '{roundId}' (the dashboard knows the last {snapshot.Rounds.Count} rounds)")
            : WriteJsonAsync(context, 200, RoundWithAcknowledgement(round, snapshot));
    }

    private async Task AcknowledgeAsync(HttpContext context)
    {
        var roundId = (string)context.GetRouteValue("id")!;
        if (context.Items[OperatorItem] is not string who)
        {
            await WriteErrorAsync(context, 403, "acknowledgements need an authenticated operator: configure operator.auth (tokens or users) in the rig").ConfigureAwait(false);
            return;
        }
        if (OperatorAckRequest.CheckRoundId(roundId) is { } idError)
        {
            await WriteErrorAsync(context, 400, idError).ConfigureAwait(false);
            return;
        }
        var body = await ReadBodyAsync(context.Request, OperatorAckRequest.MaxPayloadBytes + 1, context.RequestAborted).ConfigureAwait(false);
        var request = OperatorAckRequest.TryParse(body, roundId, out var error, operatorRequired: false);
        if (request is null)
        {
            await WriteErrorAsync(context, 400, "bad acknowledgement: " + error).ConfigureAwait(false);
            return;
        }
        if (request.OperatorName.Length > 0 && request.OperatorName != who)
        {
            await WriteErrorAsync(context, 400, $"you are signed in as '{who}' and cannot acknowledge as '{request.OperatorName}'").ConfigureAwait(false);
            return;
        }
        if (OperatorAckRequest.EmergencyStopStillOpen(_board.Snapshot(), roundId) is { } stillOpen)
        {
            await WriteErrorAsync(context, 409, stillOpen).ConfigureAwait(false);
            return;
        }
        if (!OperatorAckRequest.IsKnownRound(_board.Snapshot(), roundId))
        {
            await WriteErrorAsync(context, 404, $"unknown round '{roundId}'").ConfigureAwait(false);
            return;
        }
        var ack = new OperatorAck(roundId, who, "dashboard", context.Connection.RemoteIpAddress?.ToString() ?? "?", _clock.GetUtcNow());
        if (!_board.Acknowledge(ack))
        {
            var by = _board.Snapshot().OperatorAcks.GetValueOrDefault(roundId);
            await WriteErrorAsync(context, 409, $"round '{roundId}' is already acknowledged by {by}").ConfigureAwait(false);
            return;
        }
        _logger?.LogInformation("round {RoundId} acknowledged by {Operator} on the dashboard from {Remote}", roundId, who, ack.Source);
        await WriteJsonAsync(context, 200, new AckNotice(roundId, who, ack.AtUtc, "dashboard")).ConfigureAwait(false);
    }

    private static JsonNode RoundWithAcknowledgement(RoundSummary round, GatewayStatusSnapshot snapshot)
    {
        var node = JsonSerializer.SerializeToNode(round, OperatorJson.Options)!.AsObject();
        node["acknowledgedBy"] = snapshot.OperatorAcks.TryGetValue(round.RoundId, out var by) ? by : null;
        return node;
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length >= maxBytes) break;
        }
        return buffer.ToArray();
    }

    private static async Task WriteJsonAsync<T>(HttpContext context, int status, T value)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = JsonContentType;
        context.Response.Headers.CacheControl = "no-store";
        await JsonSerializer.SerializeAsync(context.Response.Body, value, OperatorJson.Options, context.RequestAborted).ConfigureAwait(false);
    }

    private static Task WriteErrorAsync(HttpContext context, int status, string error) =>
        WriteJsonAsync(context, status, new { error });
}
