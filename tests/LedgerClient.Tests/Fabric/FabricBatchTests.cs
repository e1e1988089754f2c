using System.Text.Json;
using Gateway.LedgerClient.Fabric;
using Gateway.Testing.Fabric;
using static Gateway.LedgerClient.Tests.Fabric.FabricTestSupport;

namespace Gateway.LedgerClient.Tests.Fabric;

/// <summary>A round's settlements as one CommitSettlements transaction: all or nothing, idempotent per settlement, refusals naming the settlement.</summary>
public sealed class FabricBatchTests(FabricPeerFixture fixture) : IClassFixture<FabricPeerFixture>
{
    private readonly TestPki _pki = fixture.Pki;
    private readonly TestPeer _peer = fixture.Peer;

    private static string NewRound() => "site-" + Guid.NewGuid().ToString("N")[..10];

    [Fact]
    public async Task A_55_settlement_round_is_one_transaction_in_one_block_with_one_event_carrying_them_all()
    {
        using var ledger = Ledger(_pki, _peer);
        var round = Round(NewRound(), LedgerIds.NewEpoch(), 55);
        var submitsBefore = _peer.CallCounts.GetValueOrDefault("Submit");

        var results = await ledger.CommitBatchAsync(round);

        Assert.Equal(55, results.Count);
        Assert.All(results, r => Assert.Equal(LedgerCommitOutcome.Committed, r.Outcome));
        Assert.Single(results.Select(r => (r.BlockNumber, r.TransactionId)).Distinct());
        Assert.Equal(submitsBefore + 1, _peer.CallCounts["Submit"]);
        Assert.Equal(round, await ledger.QueryRoundAsync(round[0].RoundId));
        var e = Assert.Single(_peer.CommittedEvents, x => x.Payload.Contains(round[0].RoundId, StringComparison.Ordinal));
        Assert.Equal(FabricLedger.CommittedEventName, e.Name);
        Assert.Equal(55, JsonSerializer.Deserialize<JsonElement>(e.Payload).GetProperty("settlements").GetArrayLength());
    }

    [Fact]
    public async Task A_resent_round_is_already_committed_from_the_endorsement_alone_and_nothing_is_submitted()
    {
        using var ledger = Ledger(_pki, _peer);
        var round = Round(NewRound(), LedgerIds.NewEpoch(), 12);
        var first = await ledger.CommitBatchAsync(round);
        var submits = _peer.CallCounts["Submit"];

        var again = await ledger.CommitBatchAsync(round);

        Assert.All(again, r => Assert.Equal(LedgerCommitOutcome.AlreadyCommitted, r.Outcome));
        Assert.Equal(first.Select(r => r.TransactionId), again.Select(r => r.TransactionId));
        Assert.Equal(submits, _peer.CallCounts["Submit"]);
        Assert.Equal(12, (await ledger.QueryRoundAsync(round[0].RoundId)).Count);
    }

    [Fact]
    public async Task A_batch_holding_some_committed_settlements_commits_the_others_and_reports_the_rest()
    {
        using var ledger = Ledger(_pki, _peer);
        var round = Round(NewRound(), LedgerIds.NewEpoch(), 6);
        await ledger.CommitBatchAsync(round.Take(2).ToList());

        var results = await ledger.CommitBatchAsync(round);

        Assert.Equal([LedgerCommitOutcome.AlreadyCommitted, LedgerCommitOutcome.AlreadyCommitted, .. Enumerable.Repeat(LedgerCommitOutcome.Committed, 4)],
            results.Select(r => r.Outcome));
        Assert.Equal(6, (await ledger.QueryRoundAsync(round[0].RoundId)).Count);
    }

    [Fact]
    public async Task One_settlement_with_other_content_under_a_committed_id_refuses_the_batch_and_is_named()
    {
        using var ledger = Ledger(_pki, _peer);
        var round = Round(NewRound(), LedgerIds.NewEpoch(), 5);
        await ledger.CommitAsync(round[3]);
        var changed = round.Select((s, i) => i == 3 ? s with { EnergyKwh = s.EnergyKwh + 1, Amount = Math.Round((s.EnergyKwh + 1) * s.PricePerKwh, 4) } : s).ToList();

        var error = await Assert.ThrowsAsync<FabricLedgerException>(() => ledger.CommitBatchAsync(changed));

        Assert.Equal(FabricFailureKind.ConflictingDuplicate, error.Kind);
        Assert.True(error.IsPermanent);
        Assert.Equal(round[3].SettlementId, error.ItemKey);
        Assert.Contains("SETTLEMENT_CONFLICT", error.Message);
        Assert.Contains("energyKwh", error.Message);
        Assert.Single(await ledger.QueryRoundAsync(round[0].RoundId));
    }

    [Fact]
    public async Task An_unbalanced_settlement_refuses_the_batch_and_is_named()
    {
        using var ledger = Ledger(_pki, _peer);
        var round = Round(NewRound(), LedgerIds.NewEpoch(), 4).Select((s, i) => i == 2 ? s with { Amount = s.Amount + 0.01m } : s).ToList();

        var error = await Assert.ThrowsAsync<FabricLedgerException>(() => ledger.CommitBatchAsync(round));

        Assert.Equal(FabricFailureKind.Rejected, error.Kind);
        Assert.Equal(round[2].SettlementId, error.ItemKey);
        Assert.Contains("SETTLEMENT_UNBALANCED", error.Message);
        Assert.Empty(await ledger.QueryRoundAsync(round[0].RoundId));
    }
}
