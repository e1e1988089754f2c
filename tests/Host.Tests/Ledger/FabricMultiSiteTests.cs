using Gateway.Runtime.Devices;
using Gateway.Runtime.Scheduling;
using Gateway.Host.Tests.Worker;
using Gateway.Runtime.Worker;
using Gateway.LedgerClient;
using Gateway.LedgerClient.Outbox;
using Gateway.Testing.Fabric;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Host.Tests.Ledger;

/// <summary>
/// Several gateways settling at once on one Fabric network (the test peer, a 500 ms block interval, operator and DSO
/// endorsing): two sites, and one of them run a second time with a fresh journal over the same simulated day — the case
/// that used to collide (same round ids, other content). Every settlement of every run commits, none is refused or
/// dead-lettered, and each is on the chain under its own id with its own content.
/// </summary>
public sealed class FabricMultiSiteTests : IAsyncLifetime
{
    private readonly TestPki _operator = new("Org1MSP");
    private readonly TestPki _dso = new("Org2MSP");
    private TestPeer _peer = null!;

    public async Task InitializeAsync() => _peer = await TestPeer.StartAsync(_operator, new TestPeerSettings
    {
        UseTls = true,
        BatchTimeout = TimeSpan.FromMilliseconds(500),
        MaxTransactionsPerBlock = 10,
        OtherOrganizations = [_dso],
        Channels = [TestChannel.Settlements("txmain", "settlement", "Org1MSP", "Org2MSP")],
    });

    public async Task DisposeAsync()
    {
        await _peer.DisposeAsync();
        _operator.Dispose();
        _dso.Dispose();
    }

    private string Yaml(string site) => EndToEndRig.OnFabric(
        EndToEndRig.Yaml.Replace("site: e2e", $"site: {site}").Replace("timeScale: 300", "timeScale: 180").Replace("rounds: 3", "rounds: 2"),
        _peer.Endpoint, _operator, sideChains: false);

    private sealed record SiteRun(string Site, string Epoch, IReadOnlyList<SettlementRecord> Settlements, OutboxBacklog Backlog, IReadOnlyList<SettlementRecord?> OnChain);

    private static async Task<SiteRun> RunSiteAsync(string site, string yaml)
    {
        await using var rig = await EndToEndRig.StartAsync(yaml);
        var definition = rig.Load();
        var clock = new AcceleratedTimeProvider(rig.Sims.Rig.Clock.Now, definition.TimeScale);
        await using var runtime = await GatewayRuntime.StartAsync(definition, NullLoggerFactory.Instance, rig.Endpoints, clock,
            new DevicePollerOptions { AttemptTimeout = TimeSpan.FromSeconds(2), IsolateAfterFailures = 2 });
        await runtime.WaitForFirstPollAsync(TimeSpan.FromSeconds(10));
        var settlements = new List<SettlementRecord>();
        for (var i = 0; i < 2; i++) settlements.AddRange((await runtime.TickAsync()).Settlements);
        var backlog = await runtime.DrainLedgerAsync(TimeSpan.FromSeconds(90));
        var onChain = new List<SettlementRecord?>();
        foreach (var s in settlements) onChain.Add(await runtime.Ledger.GetAsync(s.SettlementId));
        return new SiteRun(site, runtime.Journal.Epoch, settlements, backlog, onChain);
    }

    [Fact]
    public async Task Two_sites_and_a_rerun_settle_concurrently_on_one_network_without_colliding_ids()
    {
        var runs = await Task.WhenAll(
            RunSiteAsync("site-a", Yaml("site-a")),
            RunSiteAsync("site-b", Yaml("site-b")),
            // The same site again over the same simulated day with a fresh journal: same round ids, a new epoch.
            RunSiteAsync("site-a", Yaml("site-a")));

        Assert.All(runs, r => Assert.NotEmpty(r.Settlements));
        Assert.NotEqual(runs[0].Epoch, runs[2].Epoch);
        foreach (var run in runs)
        {
            Assert.True(run.Backlog.PendingCount == 0 && run.Backlog.DeadLetterCount == 0,
                $"{run.Site} (epoch {run.Epoch}): {run.Backlog.PendingCount} pending, {run.Backlog.DeadLetterCount} dead ({run.Backlog.LastError})");
            for (var i = 0; i < run.Settlements.Count; i++)
            {
                var stored = run.OnChain[i];
                Assert.True(stored is not null, $"{run.Settlements[i].SettlementId} is not on the chain");
                Assert.Equal(run.Settlements[i].Amount, stored!.Amount);
                Assert.Equal(run.Settlements[i].EnergyKwh, stored.EnergyKwh);
                Assert.Equal(run.Settlements[i].PayerId, stored.PayerId);
            }
        }
        var ids = runs.SelectMany(r => r.Settlements.Select(s => s.SettlementId)).ToList();
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
        // Same site, same simulated day: the re-run's round ids are the first run's (which intervals each traded depends on
        // how long its start took, so not asserted); the epoch alone keeps their settlement ids apart.
        Assert.All(runs[2].Settlements, s => Assert.Contains($"/{runs[2].Epoch}/", s.SettlementId));
        Assert.All(runs[0].Settlements, s => Assert.Contains($"/{runs[0].Epoch}/", s.SettlementId));
    }
}
