using Gateway.LedgerClient.Fabric;
using Gateway.Testing.Fabric;
using static Gateway.LedgerClient.Tests.Fabric.FabricTestSupport;

namespace Gateway.LedgerClient.Tests.Fabric;

/// <summary>FabricLedger against the protocol-level test peer over plaintext HTTP/2.</summary>
public sealed class FabricLedgerTests(FabricPeerFixture fixture) : IClassFixture<FabricPeerFixture>
{
    private readonly TestPki _pki = fixture.Pki;
    private readonly TestPeer _peer = fixture.Peer;

    [Fact]
    public async Task Commit_then_read_back_by_id()
    {
        using var ledger = Ledger(_pki, _peer);
        var settlement = Settlement();

        var result = await ledger.CommitAsync(settlement);

        Assert.Equal(LedgerCommitOutcome.Committed, result.Outcome);
        Assert.True(result.BlockNumber >= 1);
        Assert.Matches("^[0-9a-f]{64}$", result.TransactionId);
        Assert.Equal(settlement, await ledger.GetAsync(settlement.SettlementId));
    }

    [Fact]
    public async Task Unknown_settlement_reads_as_null()
    {
        using var ledger = Ledger(_pki, _peer);
        Assert.Null(await ledger.GetAsync("no-such-settlement"));
    }

    [Fact]
    public async Task Recommitting_identical_content_is_AlreadyCommitted_with_the_original_transaction()
    {
        using var ledger = Ledger(_pki, _peer);
        var settlement = Settlement();
        var first = await ledger.CommitAsync(settlement);

        var second = await ledger.CommitAsync(settlement with { EnergyKwh = 2.50m });

        Assert.Equal(LedgerCommitOutcome.AlreadyCommitted, second.Outcome);
        Assert.Equal(first.TransactionId, second.TransactionId);
        Assert.Single(await ledger.QueryRoundAsync(settlement.RoundId));
    }

    [Fact]
    public async Task Same_id_with_different_content_is_a_permanent_conflict()
    {
        using var ledger = Ledger(_pki, _peer);
        var settlement = Settlement();
        await ledger.CommitAsync(settlement);

        var error = await Assert.ThrowsAsync<FabricLedgerException>(() =>
            ledger.CommitAsync(settlement with { EnergyKwh = 3m, Amount = Math.Round(3m * settlement.PricePerKwh, 4) }));

        Assert.Equal(FabricFailureKind.ConflictingDuplicate, error.Kind);
        Assert.False(error.IsRetryable);
        Assert.Equal(2.5m, (await ledger.GetAsync(settlement.SettlementId))!.EnergyKwh);
    }

    [Fact]
    public async Task Unbalanced_amount_is_rejected_by_the_contract_and_not_retryable()
    {
        using var ledger = Ledger(_pki, _peer);
        var settlement = Settlement(amount: 9.99m);

        var error = await Assert.ThrowsAsync<FabricLedgerException>(() => ledger.CommitAsync(settlement));

        Assert.Equal(FabricFailureKind.Rejected, error.Kind);
        Assert.False(error.IsRetryable);
        Assert.Contains("SETTLEMENT_UNBALANCED", error.Message);
        Assert.Null(await ledger.GetAsync(settlement.SettlementId));
    }

    [Fact]
    public async Task QueryRound_returns_the_round_in_commit_order_and_one_event_per_settlement()
    {
        using var ledger = Ledger(_pki, _peer);
        var round = "round-" + Guid.NewGuid().ToString("N")[..8];
        var settlements = Enumerable.Range(0, 3).Select(i => Settlement(round, $"{round}-s{i}", energyKwh: 1m + i)).ToList();
        foreach (var s in settlements)
        {
            await ledger.CommitAsync(s);
        }
        await ledger.CommitAsync(Settlement());

        var read = await ledger.QueryRoundAsync(round);

        Assert.Equal(settlements, read);
        var events = _peer.CommittedEvents.Where(e => e.Payload.Contains(round)).ToList();
        Assert.Equal(3, events.Count);
        Assert.All(events, e => Assert.Equal("SettlementsCommitted", e.Name));
        Assert.Empty(await ledger.QueryRoundAsync("round-nobody-traded-in"));
    }

    [Fact]
    public async Task Many_commits_in_flight_at_once_all_commit_and_share_blocks()
    {
        using var ledger = Ledger(_pki, _peer);
        var round = "round-" + Guid.NewGuid().ToString("N")[..8];
        var settlements = Enumerable.Range(0, 64).Select(i => Settlement(round, $"{round}-p{i}")).ToList();

        var results = await Task.WhenAll(settlements.Select(s => ledger.CommitAsync(s)));

        Assert.All(results, r => Assert.Equal(LedgerCommitOutcome.Committed, r.Outcome));
        Assert.Equal(64, results.Select(r => r.TransactionId).Distinct().Count());
        Assert.True(results.Select(r => r.BlockNumber).Distinct().Count() < 32, "pipelined commits should share blocks");
        Assert.Equal(64, (await ledger.QueryRoundAsync(round)).Count);
    }

    [Fact]
    public async Task Concurrent_commits_of_one_settlement_store_it_once()
    {
        using var ledger = Ledger(_pki, _peer);
        var settlement = Settlement();

        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => ledger.CommitAsync(settlement)));

        // Endorsed together, they read the same absent key; the first in the block wins and the rest
        // fail MVCC validation, which the ledger recognises as the same settlement already committed.
        Assert.Single(results, r => r.Outcome == LedgerCommitOutcome.Committed);
        Assert.Equal(5, results.Count(r => r.Outcome == LedgerCommitOutcome.AlreadyCommitted));
        Assert.Single(await ledger.QueryRoundAsync(settlement.RoundId));
    }

    [Fact]
    public async Task Caller_cancellation_surfaces_as_OperationCanceledException()
    {
        using var ledger = Ledger(_pki, _peer);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ledger.CommitAsync(Settlement(), cancelled.Token));
    }
}
