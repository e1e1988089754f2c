using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Host.Status;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Gateway.Host.Operator;

/// <summary>The dashboard's HTTP surface. Every error is JSON <c>{"error": "..."}</c> naming what is wrong.</summary>
internal sealed class DashboardEndpoints
{
    private const string JsonContentType = "application/json; charset=utf-8";

    // The page may talk to this server only: no CDN, no external fetch, nothing framed elsewhere.
    private const string PagePolicy = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    private readonly GatewayStatusBoard _board;
    private readonly DashboardOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger? _logger;

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
        app.MapPost("/api/rounds/{id}/ack", AcknowledgeAsync);
        app.MapFallback(ctx => WriteErrorAsync(ctx, 404, $"no such resource: {ctx.Request.Method} {ctx.Request.Path}"));
    }

    private async Task GuardAsync(HttpContext context, RequestDelegate next)
    {
        try
        {
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
        if (OperatorAckRequest.CheckRoundId(roundId) is { } idError)
        {
            await WriteErrorAsync(context, 400, idError).ConfigureAwait(false);
            return;
        }
        var body = await ReadBodyAsync(context.Request, OperatorAckRequest.MaxPayloadBytes + 1, context.RequestAborted).ConfigureAwait(false);
        var request = OperatorAckRequest.TryParse(body, roundId, out var error);
        if (request is null)
        {
            await WriteErrorAsync(context, 400, "bad acknowledgement: " + error).ConfigureAwait(false);
            return;
        }
        if (!OperatorAckRequest.IsKnownRound(_board.Snapshot(), roundId))
        {
            await WriteErrorAsync(context, 404, $"unknown round '{roundId}'").ConfigureAwait(false);
            return;
        }
        _board.Acknowledge(request.ToAck());
        _logger?.LogInformation("round {RoundId} acknowledged by {Operator} on the dashboard", roundId, request.OperatorName);
        await WriteJsonAsync(context, 200, new AckNotice(roundId, request.OperatorName, _clock.GetUtcNow())).ConfigureAwait(false);
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
