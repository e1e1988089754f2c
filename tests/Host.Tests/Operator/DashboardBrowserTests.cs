using System.Text.RegularExpressions;
using Gateway.Host.Operator;

namespace Gateway.Host.Tests.Operator;

/// <summary>The dashboard page in a real browser (headless chromium) against a dashboard fed with a realistic board.</summary>
public sealed class DashboardBrowserTests : IAsyncLifetime
{
    private readonly DashboardServer _server;
    private readonly Gateway.Host.Status.GatewayStatusBoard _board;

    public DashboardBrowserTests()
    {
        var (board, clock) = SampleStatusBoard.Create();
        _board = board;
        _server = new DashboardServer(board, new DashboardOptions { Port = 0 }, clock);
    }

    public Task InitializeAsync() => _server.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task The_page_fills_devices_setpoints_rounds_and_charts_from_the_api()
    {
        var dom = await Chromium.DumpDomAsync(_server.Url);

        foreach (var device in SampleStatusBoard.DeviceIds)
            Assert.Matches($"<tr class=\"state-\\w+\" data-device=\"{Regex.Escape(device)}\">", dom);
        Assert.Contains("<tr class=\"state-isolated\" data-device=\"ev-04\">", dom);
        Assert.Contains("connection refused by 127.0.0.1:15024", dom);
        Assert.Contains("Stored Energy <b>3.42</b> kWh", dom);

        Assert.Equal(6, Regex.Matches(dom, "data-setpoint=\"").Count);
        Assert.Contains("round " + SampleStatusBoard.LatestRoundId, dom);
        Assert.Contains("<span class=\"badge b-missed\">missed</span>", dom);

        Assert.Equal(12, Regex.Matches(dom, "<tr data-round=\"").Count);
        Assert.Contains($"<button class=\"ack\" data-round=\"{SampleStatusBoard.LatestRoundId}\">Acknowledge</button>", dom);
        Assert.Contains("✓ m.keller", dom);

        Assert.Equal(4, Regex.Matches(dom, "<div class=\"kpi\" data-kpi=\"\\w+\"").Count);
        Assert.Equal(4, Regex.Matches(dom, "<polyline points=\"[0-9., ]+\"").Count);
        Assert.Contains("peer0.org1 UNAVAILABLE", dom);
        Assert.Contains("1m 35s", dom);
        Assert.Contains(">live<", dom);
    }

    [Fact]
    public async Task An_operator_acknowledges_a_round_with_the_button()
    {
        var roundId = SampleStatusBoard.LatestRoundId;
        await using var page = await ChromiumPage.OpenAsync(_server.Url);
        await page.WaitUntilAsync(_server.Url, $"document.querySelector('button.ack[data-round=\"{roundId}\"]')");

        // Without a name the page refuses and says why; nothing reaches the gateway.
        var refusal = await page.EvaluateAsync($$"""
            (async () => {
              document.querySelector('button.ack[data-round="{{roundId}}"]').click();
              await new Promise(r => setTimeout(r, 100));
              return document.getElementById("toast").textContent;
            })()
            """);
        Assert.Contains("Enter your name", refusal.GetString());
        Assert.False(_board.IsAcknowledged(roundId));

        var cell = await page.EvaluateAsync($$"""
            (async () => {
              const name = document.getElementById("operator");
              name.value = "qa.bench";
              name.dispatchEvent(new Event("change"));
              document.querySelector('button.ack[data-round="{{roundId}}"]').click();
              const row = () => document.querySelector('tr[data-round="{{roundId}}"] td:last-child');
              for (let i = 0; i < 200 && !row().textContent.includes("qa.bench"); i++) await new Promise(r => setTimeout(r, 25));
              return row().textContent + " | " + document.getElementById("toast").textContent;
            })()
            """);
        Assert.True(_board.IsAcknowledged(roundId));
        Assert.Equal("qa.bench", _board.Snapshot().OperatorAcks[roundId]);
        Assert.Equal($"✓ qa.bench | Round {roundId} acknowledged by qa.bench.", cell.GetString());
    }

    [Fact]
    public async Task A_screenshot_renders()
    {
        var file = Path.Combine(Path.GetTempPath(), "dashboard-" + Guid.NewGuid().ToString("N")[..8] + ".png");
        try
        {
            var height = int.TryParse(Environment.GetEnvironmentVariable("DASHBOARD_SCREENSHOT_HEIGHT"), out var h) ? h : 900;
            var scale = double.TryParse(Environment.GetEnvironmentVariable("DASHBOARD_SCREENSHOT_SCALE"), System.Globalization.CultureInfo.InvariantCulture, out var f) ? f : 1.0;
            await Chromium.ScreenshotAsync(_server.Url, file, height: height, scale: scale);
            var bytes = await File.ReadAllBytesAsync(file);
            Assert.True(bytes.Length > 10_000, $"the screenshot is only {bytes.Length} bytes: the page did not render");
            Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, bytes[..4]);
            // docs/figures/dashboard.png: DASHBOARD_SCREENSHOT=$PWD/docs/figures/dashboard.png DASHBOARD_SCREENSHOT_HEIGHT=1000 DASHBOARD_SCREENSHOT_SCALE=0.7 dotnet test ... --filter A_screenshot_renders
            if (Environment.GetEnvironmentVariable("DASHBOARD_SCREENSHOT") is { Length: > 0 } keep) File.Copy(file, keep, overwrite: true);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
