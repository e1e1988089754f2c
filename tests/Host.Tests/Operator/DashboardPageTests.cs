using System.Text;
using Gateway.Runtime.Operator;
using Gateway.Runtime.Status;
using Microsoft.Playwright;

namespace Gateway.Host.Tests.Operator;

/// <summary>
/// The dashboard page in Debian's chromium driven by Playwright (the Microsoft.Playwright driver only; no browser is
/// downloaded), against a dashboard fed with a realistic board. Issue #13, row 3: the legend was inverted (an EV charging
/// at −4.8 kW showed as "discharge/export"), plug states were raw codes, stale values looked current, "committed" was 0.
/// Screenshots go to artifacts/screenshots/ (kept by CI).
/// </summary>
[Trait(PeerTraits.Name, PeerTraits.Chromium)]
public sealed class DashboardPageTests : IAsyncLifetime
{
    private const string Chromium = "/usr/bin/chromium";
    private static readonly string[] ChromiumArgs = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

    private readonly GatewayStatusBoard _board;
    private readonly DashboardServer _server;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    public DashboardPageTests()
    {
        var (board, clock) = SampleStatusBoard.Create();
        _board = board;
        board.Report(RoundSummary.Skipped(SampleStatusBoard.SiteId + "-20261122T0830", SampleStatusBoard.Start(SampleStatusBoard.RoundCount), SampleStatusBoard.Start(SampleStatusBoard.RoundCount + 1),
            "the round before ended at 08:34:12, past the first tenth of this interval (a slow device or a long dispatch)"));
        board.Report(new BrokerLink("devices", "mqtts://10.0.0.5:8883", true, SampleStatusBoard.Now, null, ["ev-02", "smes-1"]));
        board.Report(new BrokerLink("operators", "mqtts://scada.example:8883", false, SampleStatusBoard.Now.AddMinutes(-2), "connection refused", []));
        _server = new DashboardServer(board, new DashboardOptions { Port = 0, Credentials = DashboardApiTests.Credentials }, clock);
    }

    public async Task InitializeAsync()
    {
        await _server.StartAsync();
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium, Args = ChromiumArgs, Headless = true });
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
        await _server.DisposeAsync();
    }

    private async Task<IPage> OpenAsync(bool signedIn = true, int width = 1500, int height = 1800)
    {
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = height },
            HttpCredentials = signedIn ? new HttpCredentials { Username = "j.ortega", Password = DashboardApiTests.Password } : null,
        });
        var page = await context.NewPageAsync();
        await page.GotoAsync(_server.Url.ToString());
        await page.Locator("tr[data-device=\"ev-01\"]").WaitForAsync();
        await page.Locator("#linkText", new() { HasText = "live" }).WaitForAsync();
        return page;
    }

    [Fact]
    public async Task Directions_follow_positive_is_delivered_to_the_grid()
    {
        var page = await OpenAsync();
        // ev-02 charges at -5 kW (measured -4.96): taken from the grid, never "discharge/export".
        var ev02 = page.Locator("tr[data-setpoint=\"ev-02\"]");
        Assert.Equal("from-grid", await ev02.GetAttributeAsync("data-direction"));
        Assert.Contains("-5.0 kW ← grid", await ev02.InnerTextAsync());
        Assert.Equal(1, await ev02.Locator(".fill.from-grid").CountAsync());
        Assert.Contains("-5.0 kW ← grid", await page.Locator("tr[data-device=\"ev-02\"]").InnerTextAsync());
        Assert.Contains("-5.0 kW ← grid", await page.Locator("tr[data-device=\"ev-02\"] td.num").InnerTextAsync());
        // PV exports and ev-01 discharges: delivered to the grid.
        Assert.Equal("to-grid", await page.Locator("tr[data-setpoint=\"pv-roof-a\"]").GetAttributeAsync("data-direction"));
        Assert.Contains("7.2 kW → grid", await page.Locator("tr[data-device=\"ev-01\"]").InnerTextAsync());
        var legend = await page.Locator("#legend").InnerTextAsync();
        Assert.Contains("→ grid: delivered to the grid (positive kW)", legend);
        Assert.Contains("← grid: taken from the grid (negative kW)", legend);
        Assert.DoesNotContain("charge / consume", await page.ContentAsync());
        await ShotAsync(page, "dashboard-directions");
    }

    [Fact]
    public async Task States_are_named_and_stale_values_are_greyed_with_their_age()
    {
        var page = await OpenAsync();
        var ev02 = page.Locator("tr[data-device=\"ev-02\"]");
        Assert.Equal("charging", await ev02.Locator("[data-state=\"PlugState\"] b").InnerTextAsync());
        Assert.Equal("discharging", await page.Locator("tr[data-device=\"ev-01\"] [data-state=\"PlugState\"] b").InnerTextAsync());
        Assert.DoesNotContain("11.0", await page.Locator("tr[data-device=\"ev-01\"]").InnerTextAsync());
        Assert.DoesNotContain("Plug State <b>1", await ev02.InnerHTMLAsync());

        var ev03 = page.Locator("tr[data-device=\"ev-03\"]");
        Assert.Contains("stale", await ev03.GetAttributeAsync("class") ?? "");
        Assert.Contains("stale: values 3 min ago", await ev03.InnerTextAsync());
        var grey = await ev03.Locator("td").Nth(4).EvaluateAsync<string>("e => getComputedStyle(e).color");
        var fresh = await ev02.Locator("td").Nth(4).EvaluateAsync<string>("e => getComputedStyle(e).color");
        Assert.Equal("rgb(160, 174, 192)", grey);
        Assert.NotEqual(grey, fresh);
        Assert.Contains("2 stale", await page.Locator("#deviceSummary").InnerTextAsync());
    }

    [Fact]
    public async Task The_ledger_card_shows_committed_pending_and_dead_lettered_from_the_outbox()
    {
        var page = await OpenAsync();
        Assert.Equal("412", await page.Locator("[data-ledger=\"committed\"] .v").InnerTextAsync());
        Assert.Equal("3", await page.Locator("[data-ledger=\"pending\"] .v").InnerTextAsync());
        Assert.Equal("1", await page.Locator("[data-ledger=\"dead-lettered\"] .v").InnerTextAsync());
        Assert.Equal("1m 35s", await page.Locator("[data-ledger=\"oldest pending\"] .v").InnerTextAsync());
        _board.Report(new LedgerBacklog(0, null, 1, 415, null));
        await page.Locator("[data-ledger=\"committed\"] .v", new() { HasText = "415" }).WaitForAsync();
    }

    [Fact]
    public async Task The_ledger_card_lists_settlements_as_the_ledger_reports_them_committed()
    {
        var page = await OpenAsync();
        await page.Locator("#ledgerCommits .empty").WaitForAsync();
        _board.Report(new LedgerCommit("r-0830/e1/0/ev-01->pv-01", "r-0830", "ev-01", "pv-01", 1.25m, 0.31m, 17, "0a1b2c3d", SampleStatusBoard.Now));
        _board.Report(new LedgerCommit("r-0830/e1/1/ev-02->pv-01", "r-0830", "ev-02", "pv-01", 0.5m, 0.12m, 17, "0a1b2c3d", SampleStatusBoard.Now));
        var row = page.Locator("#ledgerCommits tr[data-settlement=\"r-0830/e1/1/ev-02->pv-01\"]");
        await row.WaitForAsync();
        Assert.Equal(["17", "r-0830/e1/1/ev-02->pv-01", "ev-02 → pv-01", "0.500", "0.12"], (await row.Locator("td").AllInnerTextsAsync()).Take(5));
        // Newest first.
        Assert.Equal("r-0830/e1/1/ev-02->pv-01", await page.Locator("#ledgerCommits tr").First.GetAttributeAsync("data-settlement"));
        Assert.Equal(2, await page.Locator("#ledgerCommits tr[data-settlement]").CountAsync());
    }

    [Fact]
    public async Task The_feeder_view_draws_each_line_against_its_limit_the_SMES_and_the_failed_trades()
    {
        var page = await OpenAsync();
        var feeder = page.Locator("#feeder svg");
        Assert.Equal(4, await feeder.Locator("g[data-line]").CountAsync());
        // L13 carries n3 and n4: -4.96 (ev-02) - 8.5 (smes-1) + 0 (ev-03) - 1 kW base load; pv-roof-b and ev-04 have no reading.
        var l13 = await feeder.Locator("text[data-flow=\"L13\"]").TextContentAsync();
        Assert.StartsWith("L13  — / 2.0 kW", l13);
        var l12 = await feeder.Locator("text[data-flow=\"L12\"]").TextContentAsync();
        Assert.Equal("L12  18.4 / 30.0 kW → grid", l12);
        Assert.Equal("line-ok", await feeder.Locator("g[data-line=\"L12\"]").GetAttributeAsync("class"));
        Assert.Contains("smes-1  -8.5 kW ← grid · stored 3.42 kWh", await feeder.Locator("text[data-device=\"smes-1\"]").TextContentAsync());
        var failed = page.Locator("#failedTrades li[data-failed-trade]");
        Assert.True(await failed.CountAsync() >= 1);
        Assert.Contains("failed by line L34", await failed.First.InnerTextAsync());
        Assert.Contains("served through the SMES", await failed.First.InnerTextAsync());

        // A line over its limit turns red.
        _board.Report(_board.Snapshot().Devices.Single(d => d.DeviceId == "ev-02") with { Measurements = new Dictionary<string, double> { ["PowerKw"] = 30 } });
        await page.Locator("g[data-line=\"L12\"].line-ok").WaitForAsync();
        await ShotAsync(page, "dashboard-feeder", page.Locator("#feederCard"));
    }

    [Fact]
    public async Task Plant_and_wall_times_are_labelled_and_brokers_and_skipped_intervals_are_shown()
    {
        var page = await OpenAsync();
        Assert.Contains("simulated time ×180", await page.Locator("#plantClock").InnerTextAsync());
        Assert.Contains("wall", await page.Locator("#wallClock").InnerTextAsync());
        Assert.Contains("Interval (plant time)", await page.Locator("thead").Last.InnerTextAsync());
        Assert.Contains("operators broker down since", await page.Locator("[data-broker=\"operators\"]").InnerTextAsync());
        Assert.Contains("devices broker connected", await page.Locator("[data-broker=\"devices\"]").InnerTextAsync());
        var skipped = page.Locator("tr.round-skipped");
        Assert.Equal(1, await skipped.CountAsync());
        Assert.Contains("skipped: the round before ended at 08:34:12", await skipped.InnerTextAsync());
    }

    [Fact]
    public async Task A_signed_in_operator_acknowledges_a_round_and_an_anonymous_visitor_cannot()
    {
        var roundId = SampleStatusBoard.LatestRoundId;
        var anonymous = await _browser.NewPageAsync();
        var response = await anonymous.APIRequest.GetAsync(_server.Url + "api/status");
        Assert.Equal(401, response.Status);
        var post = await anonymous.APIRequest.PostAsync($"{_server.Url}api/rounds/{roundId}/ack", new() { DataObject = new { }, Headers = new Dictionary<string, string> { ["Content-Type"] = "application/json" } });
        Assert.Equal(401, post.Status);
        Assert.False(_board.IsAcknowledged(roundId));

        var page = await OpenAsync();
        Assert.Equal("signed in as j.ortega", await page.Locator("#who").InnerTextAsync());
        await page.Locator($"button.ack[data-round=\"{roundId}\"]").ClickAsync();
        await page.Locator($"tr[data-round=\"{roundId}\"] .acked").WaitForAsync();
        Assert.StartsWith("✓ j.ortega · dashboard", await page.Locator($"tr[data-round=\"{roundId}\"] .acked").InnerTextAsync());
        Assert.Equal("j.ortega", _board.Snapshot().OperatorAcks[roundId]);
        Assert.Contains($"Round {roundId} acknowledged by j.ortega.", await page.Locator("#toast").InnerTextAsync());
    }

    [Fact]
    public async Task Screenshots_of_the_dashboard_and_the_feeder_view()
    {
        var page = await OpenAsync(width: 1500, height: 1900);
        var full = await ShotAsync(page, "dashboard");
        Assert.True(full.Length > 50_000, $"the screenshot is only {full.Length} bytes");
        // docs/figures: DASHBOARD_FIGURES=$PWD/docs/figures dotnet test tests/Host.Tests -c Release --filter Screenshots_of_the_dashboard
        if (Environment.GetEnvironmentVariable("DASHBOARD_FIGURES") is { Length: > 0 } figures)
        {
            await File.WriteAllBytesAsync(Path.Combine(figures, "dashboard.png"), full);
            await page.Locator("#feederCard").ScreenshotAsync(new() { Path = Path.Combine(figures, "dashboard-feeder.png") });
        }
    }

    private static async Task<byte[]> ShotAsync(IPage page, string name, ILocator? part = null)
    {
        var dir = Path.Combine(Repository.Root, "artifacts", "screenshots");
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, name + ".png");
        var bytes = part is null ? await page.ScreenshotAsync(new() { Path = path, FullPage = true }) : await part.ScreenshotAsync(new() { Path = path });
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, bytes[..4]);
        return bytes;
    }
}
