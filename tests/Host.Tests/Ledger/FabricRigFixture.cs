using Gateway.Runtime.Devices;
using Gateway.Rigs;
using Gateway.Runtime.Scheduling;
using Gateway.Runtime.Status;
using Gateway.Host.Tests.Worker;
using Gateway.Runtime.Worker;
using Gateway.LedgerClient;
using Gateway.LedgerClient.Outbox;
using Gateway.Testing.Fabric;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Host.Tests.Ledger;

/// <summary>
/// The whole gateway on the simulators at ×180, settling on the test peer with the paper's three-channel design: three
/// organisations, settlements on txmain AND(operator, DSO), decisions on matching AND(operator, regulator), deliveries on
/// electricity AND(operator, DSO), an orderer cutting blocks after 500 ms like the lab network's. Three rounds run once
/// for every test of a class; the peer and the rig's journal stay for the verbs.
/// </summary>
public sealed class FabricRigFixture : IAsyncLifetime
{
    public const double TimeScale = 180;

    public TestPki Operator { get; } = new("Org1MSP");

    public TestPki Dso { get; } = new("Org2MSP");

    public TestPki Regulator { get; } = new("Org3MSP");

    public TestPeer Peer { get; private set; } = null!;

    internal EndToEndRig Rig { get; private set; } = null!;

    internal RigDefinition Definition { get; private set; } = null!;

    public DateTimeOffset StartedAtUtc { get; private set; }

    public DateTimeOffset FinishedAtUtc { get; private set; }

    internal IReadOnlyList<RoundOutcome> Outcomes { get; private set; } = [];

    public IReadOnlyDictionary<LedgerStream, OutboxBacklog> Backlogs { get; private set; } = new Dictionary<LedgerStream, OutboxBacklog>();

    public string Epoch { get; private set; } = "";

    /// <summary>What the status board listed as committed by the ledger (the dashboard's live list) when the run ended.</summary>
    internal IReadOnlyList<LedgerCommit> BoardCommits { get; private set; } = [];

    /// <summary>The last round's settlement ids, as the outbox delivered them.</summary>
    public IReadOnlyList<string> LastRoundSettlementIds { get; private set; } = [];

    public string RigYaml(Uri peer) =>
        EndToEndRig.OnFabric(EndToEndRig.Yaml.Replace("timeScale: 300", $"timeScale: {TimeScale}"), peer, Operator, sideChains: true, roundsInFlight: 8);

    public async Task InitializeAsync()
    {
        Peer = await TestPeer.StartAsync(Operator, new TestPeerSettings
        {
            UseTls = true,
            BatchTimeout = TimeSpan.FromMilliseconds(500),
            MaxTransactionsPerBlock = 10,
            OtherOrganizations = [Dso, Regulator],
            Channels = TestChannel.ThreeChannels,
        });
        // Realistic latency on every call besides the block interval.
        Peer.Faults.ResponseDelay = TimeSpan.FromMilliseconds(20);
        Rig = await EndToEndRig.StartAsync(RigYaml(Peer.Endpoint));
        Definition = Rig.Load();
        StartedAtUtc = TimeProvider.System.GetUtcNow();
        var clock = new AcceleratedTimeProvider(Rig.Sims.Rig.Clock.Now, Definition.TimeScale);
        var outcomes = new List<RoundOutcome>();
        await using (var runtime = await GatewayRuntime.StartAsync(Definition, NullLoggerFactory.Instance, Rig.Endpoints, clock,
                         new DevicePollerOptions { AttemptTimeout = TimeSpan.FromSeconds(2), IsolateAfterFailures = 2 }))
        {
            await runtime.WaitForFirstPollAsync(TimeSpan.FromSeconds(10));
            for (var i = 0; i < 3; i++) outcomes.Add(await runtime.TickAsync());
            await runtime.DrainLedgerAsync(TimeSpan.FromSeconds(60));
            Backlogs = await runtime.StreamBacklogsAsync();
            // The board hears of commits from the peer's ChaincodeEvents, independently of the outbox: wait (wall time,
            // on the board's own change events) until it has the last round's settlements, or give up after 30 s.
            var lastRound = outcomes.Last(o => o.Settlements.Count > 0);
            LastRoundSettlementIds = lastRound.Settlements.Select(s => s.SettlementId).ToList();
            var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            void Check(object _)
            {
                if (LastRoundSettlementIds.All(id => runtime.Board.Snapshot().LedgerCommits.Any(c => c.SettlementId == id))) seen.TrySetResult();
            }
            runtime.Board.Changed += Check;
            Check(this);
            await Task.WhenAny(seen.Task, Task.Delay(TimeSpan.FromSeconds(30)));
            runtime.Board.Changed -= Check;
            BoardCommits = runtime.Board.Snapshot().LedgerCommits;
            Epoch = runtime.Journal.Epoch;
        }
        FinishedAtUtc = TimeProvider.System.GetUtcNow();
        Outcomes = outcomes;
    }

    public async Task DisposeAsync()
    {
        await Rig.DisposeAsync();
        await Peer.DisposeAsync();
        Operator.Dispose();
        Dso.Dispose();
        Regulator.Dispose();
    }
}
