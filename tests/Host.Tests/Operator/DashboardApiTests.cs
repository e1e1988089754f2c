using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Gateway.Host.Operator;
using Gateway.Host.Status;

namespace Gateway.Host.Tests.Operator;

public sealed class DashboardApiTests : IAsyncLifetime
{
    private readonly GatewayStatusBoard _board;
    private readonly DashboardServer _server;
    private readonly HttpClient _http = new();

    public DashboardApiTests()
    {
        (_board, var clock) = SampleStatusBoard.Create();
        _server = new DashboardServer(_board, new DashboardOptions { Port = 0 }, clock);
    }

    public async Task InitializeAsync()
    {
        await _server.StartAsync();
        _http.BaseAddress = _server.Url;
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public void Port_zero_binds_a_free_loopback_port_and_exposes_it()
    {
        Assert.Equal("127.0.0.1", _server.Url.Host);
        Assert.NotEqual(0, _server.Url.Port);
    }

    [Fact]
    public async Task Healthz_answers_ok_with_the_site()
    {
        using var doc = await GetJsonAsync("healthz", HttpStatusCode.OK);
        Assert.Equal("ok", doc.RootElement.GetProperty("status").GetString());
        Assert.Equal(SampleStatusBoard.SiteId, doc.RootElement.GetProperty("siteId").GetString());
    }

    [Fact]
    public async Task Status_is_the_snapshot_in_camel_case_with_iso_times_and_string_enums()
    {
        using var doc = await GetJsonAsync("api/status", HttpStatusCode.OK);
        var root = doc.RootElement;
        Assert.Equal(SampleStatusBoard.SiteId, root.GetProperty("siteId").GetString());
        Assert.Equal("2026-11-22T08:12:30+00:00", root.GetProperty("atUtc").GetString());

        var devices = root.GetProperty("devices").EnumerateArray().ToList();
        Assert.Equal(SampleStatusBoard.DeviceIds, devices.Select(d => d.GetProperty("deviceId").GetString()));
        var ev03 = devices.Single(d => d.GetProperty("deviceId").GetString() == "ev-03");
        Assert.Equal("degraded", ev03.GetProperty("state").GetString());
        Assert.Contains("timed out", ev03.GetProperty("lastError").GetString());
        Assert.Equal(33, ev03.GetProperty("measurements").GetProperty("SocPercent").GetDouble());
        Assert.Equal("2026-11-22T08:12:21+00:00", ev03.GetProperty("lastGoodReadingUtc").GetString());

        var setpoints = root.GetProperty("setpoints").EnumerateArray().ToList();
        Assert.Equal(6, setpoints.Count);
        var ev02 = setpoints.Single(s => s.GetProperty("deviceId").GetString() == "ev-02");
        Assert.Equal(-5.0, ev02.GetProperty("setpointKw").GetDouble());
        Assert.Equal("confirmed", ev02.GetProperty("status").GetString());
        Assert.Equal(SampleStatusBoard.LatestRoundId, ev02.GetProperty("roundId").GetString());
        Assert.True(DateTimeOffset.TryParse(ev02.GetProperty("validUntilUtc").GetString(), out _));

        var rounds = root.GetProperty("rounds").EnumerateArray().ToList();
        Assert.Equal(SampleStatusBoard.RoundCount, rounds.Count);
        Assert.Equal("delivering", rounds[^1].GetProperty("state").GetString());
        Assert.Equal("executed", rounds[^1].GetProperty("trades")[0].GetProperty("outcome").GetString());

        var ledger = root.GetProperty("ledger");
        Assert.Equal(3, ledger.GetProperty("pending").GetInt32());
        Assert.Equal("PT1M35S", ledger.GetProperty("oldestPendingAge").GetString());
        Assert.Equal("m.keller", root.GetProperty("operatorAcks").GetProperty(SampleStatusBoard.RoundId(SampleStatusBoard.RoundCount - 3)).GetString());
    }

    [Fact]
    public async Task A_device_reporting_nan_does_not_break_the_status()
    {
        _board.Report(new DeviceHealth("ev-09", "charger", "ev-09", DeviceLinkState.Degraded, null, "SoC register not implemented", new Dictionary<string, double> { ["SocPercent"] = double.NaN }, null, null));
        using var doc = await GetJsonAsync("api/devices", HttpStatusCode.OK);
        var ev09 = doc.RootElement.EnumerateArray().Single(d => d.GetProperty("deviceId").GetString() == "ev-09");
        Assert.Equal("NaN", ev09.GetProperty("measurements").GetProperty("SocPercent").GetString());
    }

    [Fact]
    public async Task Rounds_are_listed_newest_first_with_their_acknowledgement()
    {
        using var doc = await GetJsonAsync("api/rounds?limit=4", HttpStatusCode.OK);
        var rounds = doc.RootElement.EnumerateArray().ToList();
        Assert.Equal(4, rounds.Count);
        Assert.Equal(SampleStatusBoard.LatestRoundId, rounds[0].GetProperty("roundId").GetString());
        Assert.Equal(JsonValueKind.Null, rounds[0].GetProperty("acknowledgedBy").ValueKind);
        Assert.Equal("m.keller", rounds[2].GetProperty("acknowledgedBy").GetString());
        Assert.Equal(0.214, rounds[0].GetProperty("trades")[0].GetProperty("pricePerKwh").GetDouble());
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("0")]
    [InlineData("-3")]
    [InlineData("100000")]
    public async Task A_bad_limit_is_a_400_naming_it(string limit)
    {
        var error = await GetErrorAsync($"api/rounds?limit={limit}", HttpStatusCode.BadRequest);
        Assert.Contains("limit", error);
        Assert.Contains(limit, error);
    }

    [Fact]
    public async Task One_round_by_id_or_404()
    {
        using var doc = await GetJsonAsync($"api/rounds/{SampleStatusBoard.RoundId(3)}", HttpStatusCode.OK);
        Assert.Equal(SampleStatusBoard.Start(3), doc.RootElement.GetProperty("intervalStartUtc").GetDateTimeOffset());
        var error = await GetErrorAsync("api/rounds/19990101-0000", HttpStatusCode.NotFound);
        Assert.Contains("unknown round '19990101-0000'", error);
    }

    [Fact]
    public async Task An_acknowledgement_is_recorded_on_the_board()
    {
        var roundId = SampleStatusBoard.LatestRoundId;
        Assert.False(_board.IsAcknowledged(roundId));
        using var response = await _http.PostAsync($"api/rounds/{roundId}/ack", Json("""{"operator":"a.novak"}"""));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("a.novak", doc.RootElement.GetProperty("operator").GetString());
        Assert.True(_board.IsAcknowledged(roundId));
        Assert.Equal("a.novak", _board.Snapshot().OperatorAcks[roundId]);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("{\"operator\":", "not valid JSON")]
    [InlineData("[\"a.novak\"]", "array")]
    [InlineData("{}", "\"operator\" is missing")]
    [InlineData("{\"operator\":42}", "\"operator\" must be a string")]
    [InlineData("{\"operator\":\"   \"}", "\"operator\" is empty")]
    [InlineData("{\"operator\":\"a\\u0007b\"}", "control characters")]
    [InlineData("{\"operator\":\"a.novak\",\"roundId\":\"other\"}", "differs from the round in the path")]
    public async Task A_bad_acknowledgement_is_a_400_naming_what_is_wrong(string body, string expected)
    {
        var roundId = SampleStatusBoard.LatestRoundId;
        using var response = await _http.PostAsync($"api/rounds/{roundId}/ack", Json(body));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await ErrorOf(response);
        Assert.Contains(expected, error);
        Assert.False(_board.IsAcknowledged(roundId));
    }

    [Fact]
    public async Task An_oversized_acknowledgement_is_a_400()
    {
        var body = "{\"operator\":\"" + new string('x', 5000) + "\"}";
        using var response = await _http.PostAsync($"api/rounds/{SampleStatusBoard.LatestRoundId}/ack", Json(body));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("at most 4096", await ErrorOf(response));
    }

    [Fact]
    public async Task Acknowledging_an_unknown_round_is_a_404()
    {
        using var response = await _http.PostAsync("api/rounds/19990101-0000/ack", Json("""{"operator":"a.novak"}"""));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("unknown round '19990101-0000'", await ErrorOf(response));
        Assert.False(_board.IsAcknowledged("19990101-0000"));
    }

    [Fact]
    public async Task Unknown_paths_are_a_json_404()
    {
        var error = await GetErrorAsync("api/nothing-here", HttpStatusCode.NotFound);
        Assert.Contains("/api/nothing-here", error);
    }

    [Fact]
    public async Task The_page_is_self_contained()
    {
        using var response = await _http.GetAsync("");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'none'", csp);
        Assert.Contains("connect-src 'self'", csp);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("api/status", html);
        Assert.DoesNotContain("<script src", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("https://", html);
        Assert.DoesNotContain("@import", html);
        // The only absolute URL is the SVG namespace name, which is never fetched.
        Assert.Equal(["http://www.w3.org/2000/svg"], System.Text.RegularExpressions.Regex.Matches(html, "http://[^\"' )]+").Select(m => m.Value).Distinct());
    }

    [Fact]
    public async Task A_taken_port_fails_with_a_message_naming_it()
    {
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var port = ((IPEndPoint)holder.LocalEndpoint).Port;
        await using var second = new DashboardServer(_board, new DashboardOptions { Port = port });
        var e = await Assert.ThrowsAsync<IOException>(() => second.StartAsync());
        Assert.Contains($"127.0.0.1:{port}", e.Message);
    }

    [Fact]
    public void Bad_options_are_refused_at_construction()
    {
        var e = Assert.Throws<ArgumentException>(() => new DashboardServer(_board, new DashboardOptions { Port = 70000 }));
        Assert.Contains("Port must be 0..65535", e.Message);
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private async Task<JsonDocument> GetJsonAsync(string path, HttpStatusCode expected)
    {
        using var response = await _http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"GET {path}: {(int)response.StatusCode} {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(text);
    }

    private async Task<string> GetErrorAsync(string path, HttpStatusCode expected)
    {
        using var response = await _http.GetAsync(path);
        Assert.Equal(expected, response.StatusCode);
        return await ErrorOf(response);
    }

    private static async Task<string> ErrorOf(HttpResponseMessage response)
    {
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.GetProperty("error").GetString()!;
    }
}
