using System.Diagnostics;
using System.Text.Json;
using Gateway.LedgerClient.Fabric;
using Gateway.LedgerClient.Outbox;
using Gateway.LedgerClient.Tests.Embedded;
using Gateway.LedgerClient.Tests.Fabric;
using Gateway.Testing.Fabric;
using Xunit.Abstractions;
using static Gateway.LedgerClient.Tests.Fabric.FabricTestSupport;

namespace Gateway.LedgerClient.Tests.Outbox;

/// <summary>
/// The outbox draining into Fabric (the test peer, a real gRPC service with an orderer's batch timeout and block size):
/// rounds as transactions, a window of rounds in flight submitted in queue order, permanent failures dead-lettered at
/// once with the peer's reason and without blocking the rest, transient ones retried, re-queued dead letters delivered.
/// </summary>
public sealed class FabricOutboxTests(PkiFixture fixture, ITestOutputHelper output) : IClassFixture<PkiFixture>, IDisposable
{
    private readonly TestPki _pki = fixture.Pki;
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    // Settlements on txmain need the operator's (Org1) and the DSO's (Org2) endorsement, as on the lab network.
    private Task<TestPeer> OperatorAndDsoPeerAsync(TestPki dso) => TestPeer.StartAsync(_pki, new TestPeerSettings
    {
        Channels = [TestChannel.Settlements("txmain", "settlement", "Org1MSP", "Org2MSP")],
        OtherOrganizations = [dso],
    });

    private static OutboxDispatcherOptions Options(int window = 16, bool batches = true) => new()
    {
        UseBatchCommits = batches,
        MaxBatchesInFlight = window,
        MaxRetryAttempts = 1,
        RetryBaseDelay = TimeSpan.Zero,
        RetryMaxDelay = TimeSpan.Zero,
        AttemptTimeout = TimeSpan.FromSeconds(30),
    };

    private TestJournal Journal() => new(_dir.File($"journal-{Guid.NewGuid():N}.db"), TimeProvider.System);

    private static async Task RecordAsync(TestJournal journal, IReadOnlyList<SettlementRecord> round) =>
        await journal.RecordRoundAsync(round[0].RoundId, round, LedgerIds.BatchKey(round[0].RoundId, Epoch(round[0])), []);

    private static string Epoch(SettlementRecord s) => LedgerIds.TryParseSettlementId(s.SettlementId, out _, out var epoch) ? epoch : throw new ArgumentException(s.SettlementId);

    [Fact]
    public async Task A_conflicting_settlement_is_dead_lettered_at_once_with_the_peers_reason_and_the_rest_of_its_round_and_later_rounds_commit()
    {
        await using var peer = await TestPeer.StartAsync(_pki);
        using var ledger = Ledger(_pki, peer);
        var epoch = LedgerIds.NewEpoch();
        var rounds = Enumerable.Range(1, 3).Select(r => Round($"site-r{r}-{epoch}", epoch, 8)).ToList();
        // An earlier run (same ids, other content) left one settlement of round 2 on the chain.
        var bad = rounds[1][5];
        await ledger.CommitAsync(bad with { EnergyKwh = bad.EnergyKwh + 1, Amount = Math.Round((bad.EnergyKwh + 1) * bad.PricePerKwh, 4) });
        var journal = Journal();
        foreach (var round in rounds) await RecordAsync(journal, round);
        var submits = peer.CallCounts["Submit"];

        var tick = await new OutboxDispatcher(journal.ConnectionString, ledger, Options(), TimeProvider.System).TickAsync();

        Assert.Equal(new OutboxTickResult(23, 0, 1, null), tick);
        var entries = await journal.EntriesAsync();
        var dead = Assert.Single(entries, e => e.State == OutboxEntryState.DeadLettered);
        Assert.Equal(bad.SettlementId, dead.Settlement.SettlementId);
        Assert.Contains("SETTLEMENT_CONFLICT", dead.LastError);
        Assert.Contains(bad.SettlementId, dead.LastError);
        Assert.Equal(0, dead.FailedAttempts);
        Assert.Equal(23, entries.Count(e => e.State == OutboxEntryState.Committed));
        // Three rounds, three transactions: the refused one was endorsed again without the bad settlement, never retried.
        Assert.Equal(submits + 3, peer.CallCounts["Submit"]);
        // Round 2 holds its 7 good settlements and the earlier run's version of the bad one, which is not replaced.
        foreach (var round in rounds) Assert.Equal(8, (await ledger.QueryRoundAsync(round[0].RoundId)).Count);
        Assert.NotEqual(bad, await ledger.GetAsync(bad.SettlementId));
    }

    [Fact]
    public async Task A_refused_identity_dead_letters_every_round_at_once_and_retry_after_the_fix_delivers_them_exactly_once()
    {
        await using var peer = await TestPeer.StartAsync(_pki);
        using var rogue = Ledger(_pki, peer, _pki.RogueClient);
        var epoch = LedgerIds.NewEpoch();
        var rounds = Enumerable.Range(1, 4).Select(r => Round($"site-a{r}-{epoch}", epoch, 5)).ToList();
        var journal = Journal();
        foreach (var round in rounds) await RecordAsync(journal, round);

        var refused = await new OutboxDispatcher(journal.ConnectionString, rogue, Options(), TimeProvider.System).TickAsync();

        Assert.Equal(new OutboxTickResult(0, 0, 20, null), refused);
        Assert.All(await journal.EntriesAsync(), e =>
        {
            Assert.Equal(OutboxEntryState.DeadLettered, e.State);
            Assert.Contains("access denied", e.LastError);
            Assert.Contains("unknown authority", e.LastError);
        });
        Assert.Equal(0, peer.CallCounts.GetValueOrDefault("Submit"));

        // The operator installs the right certificate and re-queues everything.
        await using (var connection = await journal.OpenAsync())
            Assert.Equal(20, await journal.Outbox.RequeueDeadAsync(connection, settlementId: null));
        using var fixedLedger = Ledger(_pki, peer);
        var delivered = await new OutboxDispatcher(journal.ConnectionString, fixedLedger, Options(), TimeProvider.System).TickAsync();

        Assert.Equal(new OutboxTickResult(20, 0, 0, null), delivered);
        foreach (var round in rounds) Assert.Equal(round, await fixedLedger.QueryRoundAsync(round[0].RoundId));
        Assert.All(await journal.EntriesAsync(), e => Assert.Contains("re-queued by an operator", e.LastError));
    }

    [Fact]
    public async Task One_settlement_per_transaction_costs_a_batch_timeout_each_and_a_round_as_one_transaction_costs_one()
    {
        // A real orderer cuts a block BatchTimeout after the first transaction; one at a time, every settlement waits for one.
        var batchTimeout = TimeSpan.FromMilliseconds(150);
        await using var peer = await TestPeer.StartAsync(_pki, new TestPeerSettings { BatchTimeout = batchTimeout, MaxTransactionsPerBlock = 10 });
        using var ledger = Ledger(_pki, peer);
        var epoch = LedgerIds.NewEpoch();
        var slowJournal = Journal();
        await RecordAsync(slowJournal, Round("slow-" + epoch, epoch, 20));
        var fastJournal = Journal();
        await RecordAsync(fastJournal, Round("fast-" + epoch, epoch, 20));

        var watch = Stopwatch.StartNew();
        var slow = new OutboxDispatcher(slowJournal.ConnectionString, ledger, Options(window: 1, batches: false), TimeProvider.System);
        while (!(await slow.GetBacklogAsync()).IsEmpty) await slow.TickAsync();
        var oneAtATime = watch.Elapsed;
        var blocksAfterSlow = peer.BlockHeight;

        watch.Restart();
        var tick = await new OutboxDispatcher(fastJournal.ConnectionString, ledger, Options(), TimeProvider.System).TickAsync();
        var batched = watch.Elapsed;
        output.WriteLine($"one settlement per transaction: {oneAtATime.TotalMilliseconds:0} ms, {blocksAfterSlow} blocks; the round as one transaction: {batched.TotalMilliseconds:0} ms, {peer.BlockHeight - blocksAfterSlow} block");

        Assert.Equal(20ul, blocksAfterSlow);
        Assert.True(oneAtATime >= 20 * batchTimeout, $"20 transactions one after the other took {oneAtATime}, less than 20 batch timeouts");
        Assert.Equal(20, tick.Committed);
        Assert.Equal(1ul, peer.BlockHeight - blocksAfterSlow);
    }

    [Fact]
    public async Task Rounds_endorsed_together_in_any_order_are_committed_in_queue_order()
    {
        var seed = TestSeeds.Fresh();
        output.WriteLine($"seed {seed}");
        await using var peer = await TestPeer.StartAsync(_pki, new TestPeerSettings { BatchTimeout = TimeSpan.FromMilliseconds(50), MaxTransactionsPerBlock = 3 });
        // Endorsements finish in a random order, as they do across a network; submission must still follow the queue.
        peer.Faults.EndorsementJitterSeed = seed;
        peer.Faults.EndorsementJitter = TimeSpan.FromMilliseconds(120);
        using var ledger = Ledger(_pki, peer);
        var epoch = LedgerIds.NewEpoch();
        var journal = Journal();
        var rounds = Enumerable.Range(0, 12).Select(r => Round($"order-{r:D2}-{epoch}", epoch, 3)).ToList();
        foreach (var round in rounds) await RecordAsync(journal, round);

        var tick = await new OutboxDispatcher(journal.ConnectionString, ledger, Options(window: 12), TimeProvider.System).TickAsync();

        Assert.Equal(36, tick.Committed);
        var visible = peer.CommittedEvents
            .Where(e => e.Payload.Contains(epoch, StringComparison.Ordinal))
            .Select(e => JsonSerializer.Deserialize<JsonElement>(e.Payload).GetProperty("settlements")[0].GetProperty("roundId").GetString())
            .ToList();
        Assert.Equal(rounds.Select(r => r[0].RoundId), visible);
        Assert.True(peer.BlockHeight >= 4, "12 transactions, at most 3 per block");
    }

    [Fact]
    public async Task With_an_endorsing_organisation_down_rounds_stay_pending_and_go_through_when_it_is_back()
    {
        using var org2 = new TestPki("Org2MSP");
        await using var peer = await OperatorAndDsoPeerAsync(org2);
        using var ledger = Ledger(_pki, peer, tweak: o => o.Channel = "txmain");
        var epoch = LedgerIds.NewEpoch();
        var journal = Journal();
        await RecordAsync(journal, Round("policy-" + epoch, epoch, 6));
        peer.Faults.OrganizationDown("Org2MSP");
        var dispatcher = new OutboxDispatcher(journal.ConnectionString, ledger, Options(), TimeProvider.System);

        var down = await dispatcher.TickAsync();

        Assert.Contains("no combination of peers can be derived which satisfy the endorsement policy", down.LedgerError);
        Assert.Equal(0, down.Processed);
        Assert.Equal(6, (await journal.BacklogAsync()).PendingCount);

        peer.Faults.OrganizationUp("Org2MSP");
        Assert.Equal(new OutboxTickResult(6, 0, 0, null), await dispatcher.TickAsync());
    }

    [Fact]
    public async Task A_transaction_invalidated_by_the_endorsement_policy_is_dead_lettered_at_once_with_the_validation_code()
    {
        using var org2 = new TestPki("Org2MSP");
        await using var peer = await OperatorAndDsoPeerAsync(org2);
        using var ledger = Ledger(_pki, peer, tweak: o => o.Channel = "txmain");
        var epoch = LedgerIds.NewEpoch();
        var journal = Journal();
        await RecordAsync(journal, Round("withheld-" + epoch, epoch, 4));
        // The gateway leaves the DSO's endorsement out: ordered, then invalidated at validation.
        peer.Faults.WithholdEndorsement("Org2MSP");

        var tick = await new OutboxDispatcher(journal.ConnectionString, ledger, Options(), TimeProvider.System).TickAsync();

        Assert.Equal(new OutboxTickResult(0, 0, 4, null), tick);
        Assert.All(await journal.EntriesAsync(), e => Assert.Contains("EndorsementPolicyFailure", e.LastError));
        Assert.Equal(1, peer.CallCounts["Submit"]);
        Assert.Empty(await ledger.QueryRoundAsync("withheld-" + epoch));
    }

    [Fact]
    public async Task Three_channels_each_stream_on_its_own_contract_with_its_own_policy()
    {
        using var org2 = new TestPki("Org2MSP");
        using var org3 = new TestPki("Org3MSP");
        await using var peer = await TestPeer.StartAsync(_pki, new TestPeerSettings
        {
            Channels = TestChannel.ThreeChannels,
            OtherOrganizations = [org2, org3],
        });
        using var connection = FabricConnection.Open(FabricTestSupport.Options(_pki, peer.Endpoint));
        var settlements = FabricLedger.Create(connection, "txmain", "settlement");
        var matching = FabricRoundRecordLedger.Create(connection, LedgerStream.Matching, "matching", "matching");
        var electricity = FabricRoundRecordLedger.Create(connection, LedgerStream.Electricity, "electricity", "electricity");
        var epoch = LedgerIds.NewEpoch();
        var journal = Journal();
        var roundIds = Enumerable.Range(1, 3).Select(r => $"site3-{r}-{epoch}").ToList();
        foreach (var roundId in roundIds)
            await journal.RecordRoundAsync(roundId, Round(roundId, epoch, 5), LedgerIds.BatchKey(roundId, epoch), TestRecords.For("site3", epoch, roundId));

        var tick = await new OutboxDispatcher(journal.ConnectionString, settlements,
            new Dictionary<LedgerStream, IRoundRecordLedger> { [LedgerStream.Matching] = matching, [LedgerStream.Electricity] = electricity },
            Options(), TimeProvider.System).TickAsync();

        Assert.Equal(new OutboxTickResult(15 + 6, 0, 0, null), tick);
        // One transaction per round on each channel, each endorsed by the orgs its channel's policy names.
        Assert.All(new[] { "txmain", "matching", "electricity" }, channel => Assert.Equal(3, peer.TransactionsPerBlock(channel).Sum()));
        foreach (var entry in await journal.RecordEntriesAsync())
        {
            Assert.Equal(OutboxEntryState.Committed, entry.State);
            var ledger = entry.Record.Stream == LedgerStream.Matching ? matching : electricity;
            var stored = await ledger.GetRecordAsync(entry.Record.Stream, entry.Record.Key);
            Assert.Equal(entry.Record, stored!.Record);
        }
        Assert.Equal(3, peer.EventsOf("matching").Count);
        Assert.Equal(3, peer.EventsOf("txmain").Count);
    }
}

/// <summary>Side-chain records as the gateway writes them (payload shapes the contracts check).</summary>
internal static class TestRecords
{
    public static IReadOnlyList<RoundRecord> For(string site, string epoch, string roundId)
    {
        var decision = JsonSerializer.Serialize(new
        {
            roundId,
            quotations = new[] { new { participantId = "ev-1", role = "buyer", energyKwh = 2.0 } },
            trades = new object[]
            {
                new { buyerId = "ev-1", sellerId = "pv-1", energyKwh = 2.0, pricePerKwh = 0.61, status = "executed", failedLineId = (string?)null },
                new { buyerId = "ev-2", sellerId = "pv-1", energyKwh = 1.0, pricePerKwh = 0.6, status = "failed", failedLineId = "L13" },
            },
            smesActions = Array.Empty<object>(),
        });
        var delivery = JsonSerializer.Serialize(new
        {
            roundId,
            intervalStartUtc = "2026-06-01T10:00:00.0000000Z",
            intervalEndUtc = "2026-06-01T10:15:00.0000000Z",
            devices = new[] { new { deviceId = "ev-1", participantId = "ev-1", setpointKw = (double?)-7.4, readBackKw = (double?)-7.38, setpointStatus = "confirmed", meterStartKwh = (double?)10, meterEndKwh = (double?)8.15, netExportKwh = (double?)-1.85 } },
        });
        var key = LedgerIds.BatchKey(roundId, epoch);
        return [new RoundRecord(LedgerStream.Matching, key, site, epoch, roundId, decision), new RoundRecord(LedgerStream.Electricity, key, site, epoch, roundId, delivery)];
    }
}
