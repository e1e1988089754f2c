using System.Buffers.Binary;
using System.Net;
using Gateway.LedgerClient.Fabric.Grpc;
using Gateway.LedgerClient.Fabric.Protos;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.LedgerClient.Tests.Fabric;

/// <summary>The gRPC transport against a bare HTTP/2 server that answers exactly as each test scripts it.</summary>
public sealed class HttpGrpcUnaryCallerTests
{
    private static readonly EvaluateRequest Request = new() { TransactionId = "t", ChannelId = "c" };

    private static async Task<(WebApplication App, Uri Endpoint)> ServeAsync(RequestDelegate handler)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        var app = builder.Build();
        app.Run(handler);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (app, new Uri(address.Replace("[::]", "127.0.0.1")));
    }

    private static async Task<GrpcCallException> CallExpectingErrorAsync(RequestDelegate handler, TimeSpan? timeout = null)
    {
        var (app, endpoint) = await ServeAsync(handler);
        await using (app)
        {
            using var caller = new HttpGrpcUnaryCaller(endpoint);
            return await Assert.ThrowsAsync<GrpcCallException>(() =>
                caller.CallAsync("/gateway.Gateway/Evaluate", Request, EvaluateResponse.Parser, timeout ?? TimeSpan.FromSeconds(5)));
        }
    }

    private static byte[] Framed(IMessage message)
    {
        var bytes = message.ToByteArray();
        var framed = new byte[5 + bytes.Length];
        BinaryPrimitives.WriteUInt32BigEndian(framed.AsSpan(1), (uint)bytes.Length);
        bytes.CopyTo(framed, 5);
        return framed;
    }

    [Fact]
    public async Task Sends_a_framed_request_with_grpc_headers_and_reads_the_response()
    {
        string? contentType = null, te = null, timeoutHeader = null, path = null, protocol = null;
        byte[] body = [];
        var (app, endpoint) = await ServeAsync(async context =>
        {
            contentType = context.Request.ContentType;
            te = context.Request.Headers.TE;
            timeoutHeader = context.Request.Headers["grpc-timeout"];
            path = context.Request.Path;
            protocol = context.Request.Protocol;
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer);
            body = buffer.ToArray();
            context.Response.ContentType = "application/grpc";
            await context.Response.Body.WriteAsync(Framed(new EvaluateResponse { Result = new Response { Status = 200, Payload = ByteString.CopyFromUtf8("ok") } }));
            context.Response.AppendTrailer("grpc-status", "0");
        });
        await using var _ = app;
        using var caller = new HttpGrpcUnaryCaller(endpoint);

        var response = await caller.CallAsync("/gateway.Gateway/Evaluate", Request, EvaluateResponse.Parser, TimeSpan.FromSeconds(3));

        Assert.Equal("ok", response.Result.Payload.ToStringUtf8());
        Assert.Equal("HTTP/2", protocol);
        Assert.Equal("/gateway.Gateway/Evaluate", path);
        Assert.Equal("application/grpc", contentType);
        Assert.Equal("trailers", te);
        Assert.Equal("3000m", timeoutHeader);
        Assert.Equal(GrpcMessageFraming.Frame(Request.ToByteArray()), body);
    }

    [Fact]
    public async Task Status_in_trailers_after_a_message_wins()
    {
        var error = await CallExpectingErrorAsync(async context =>
        {
            context.Response.ContentType = "application/grpc";
            await context.Response.Body.WriteAsync(Framed(new EvaluateResponse()));
            context.Response.AppendTrailer("grpc-status", "9");
            context.Response.AppendTrailer("grpc-message", GrpcHeaders.EncodeMessage("not now: 100%"));
        });
        Assert.Equal(GrpcStatusCode.FailedPrecondition, error.StatusCode);
        Assert.Equal("not now: 100%", error.StatusMessage);
    }

    [Fact]
    public async Task Missing_status_trailer_is_an_internal_error()
    {
        var error = await CallExpectingErrorAsync(async context =>
        {
            context.Response.ContentType = "application/grpc";
            await context.Response.Body.WriteAsync(Framed(new EvaluateResponse()));
        });
        Assert.Equal(GrpcStatusCode.Internal, error.StatusCode);
        Assert.Contains("without a grpc-status trailer", error.StatusMessage);
    }

    [Fact]
    public async Task Trailers_only_OK_without_a_message_is_an_internal_error()
    {
        var error = await CallExpectingErrorAsync(context =>
        {
            context.Response.ContentType = "application/grpc";
            context.Response.Headers["grpc-status"] = "0";
            return Task.CompletedTask;
        });
        Assert.Equal(GrpcStatusCode.Internal, error.StatusCode);
    }

    [Fact]
    public async Task Non_grpc_responses_map_to_the_spec_status()
    {
        var notFound = await CallExpectingErrorAsync(context => { context.Response.StatusCode = 404; return Task.CompletedTask; });
        Assert.Equal(GrpcStatusCode.Unimplemented, notFound.StatusCode);

        var busy = await CallExpectingErrorAsync(context => { context.Response.StatusCode = 503; return Task.CompletedTask; });
        Assert.Equal(GrpcStatusCode.Unavailable, busy.StatusCode);

        var html = await CallExpectingErrorAsync(async context =>
        {
            context.Response.ContentType = "text/html";
            await context.Response.WriteAsync("<html>proxy error</html>");
        });
        Assert.Equal(GrpcStatusCode.Internal, html.StatusCode);
        Assert.Contains("text/html", html.StatusMessage);
    }

    [Fact]
    public async Task Garbage_message_is_reported_as_not_a_valid_response()
    {
        var error = await CallExpectingErrorAsync(async context =>
        {
            context.Response.ContentType = "application/grpc";
            await context.Response.Body.WriteAsync(new byte[] { 0, 0, 0, 0, 3, 0xFF, 0xFF, 0xFF });
            context.Response.AppendTrailer("grpc-status", "0");
        });
        Assert.Equal(GrpcStatusCode.Internal, error.StatusCode);
        Assert.Contains("not a valid EvaluateResponse", error.StatusMessage);
    }

    [Fact]
    public async Task A_server_that_never_answers_hits_the_deadline()
    {
        var error = await CallExpectingErrorAsync(async context => await Task.Delay(Timeout.Infinite, context.RequestAborted),
            TimeSpan.FromMilliseconds(200));
        Assert.Equal(GrpcStatusCode.DeadlineExceeded, error.StatusCode);
    }

    [Fact]
    public async Task Many_concurrent_calls_share_the_connection()
    {
        var active = 0;
        var peak = 0;
        var (app, endpoint) = await ServeAsync(async context =>
        {
            var now = Interlocked.Increment(ref active);
            InterlockedMax(ref peak, now);
            await Task.Delay(100);
            Interlocked.Decrement(ref active);
            context.Response.ContentType = "application/grpc";
            await context.Response.Body.WriteAsync(Framed(new EvaluateResponse()));
            context.Response.AppendTrailer("grpc-status", "0");
        });
        await using var _ = app;
        using var caller = new HttpGrpcUnaryCaller(endpoint);

        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ =>
            caller.CallAsync("/gateway.Gateway/Evaluate", Request, EvaluateResponse.Parser, TimeSpan.FromSeconds(5))));

        Assert.True(peak > 1, "calls should overlap as HTTP/2 streams");
    }

    [Fact]
    public void Endpoint_scheme_and_TLS_trust_are_validated()
    {
        Assert.Throws<ArgumentException>(() => new HttpGrpcUnaryCaller(new Uri("grpc://127.0.0.1:7051")));
        var error = Assert.Throws<ArgumentException>(() => new HttpGrpcUnaryCaller(new Uri("https://127.0.0.1:7051")));
        Assert.Contains("CA certificate", error.Message);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
