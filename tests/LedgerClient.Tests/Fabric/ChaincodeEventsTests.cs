using Gateway.LedgerClient.Fabric;
using Gateway.Testing.Fabric;
using static Gateway.LedgerClient.Tests.Fabric.FabricTestSupport;

namespace Gateway.LedgerClient.Tests.Fabric;

/// <summary>Following the main chain through the Gateway's ChaincodeEvents stream: what `gateway ledger follow` and the dashboard read.</summary>
public sealed class ChaincodeEventsTests(PkiFixture fixture) : IClassFixture<PkiFixture>
{
    private readonly TestPki _pki = fixture.Pki;

    [Fact]
    public async Task Follow_from_a_block_replays_committed_rounds_in_order_and_then_delivers_new_ones_as_they_commit()
    {
        await using var peer = await TestPeer.StartAsync(_pki);
        using var ledger = Ledger(_pki, peer);
        var epoch = LedgerIds.NewEpoch();
        var first = Round("follow-1", epoch, 4);
        var second = Round("follow-2", epoch, 3);
        await ledger.CommitBatchAsync(first);
        await ledger.CommitBatchAsync(second);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var seen = new System.Collections.Concurrent.ConcurrentQueue<CommittedSettlement>();
        var following = Task.Run(async () =>
        {
            await foreach (var committed in ledger.FollowAsync(fromBlock: 1, stop.Token))
            {
                seen.Enqueue(committed);
                if (seen.Count == 4 + 3 + 2) break;
            }
        });
        // Committed while the stream is open: delivered when its block is cut.
        while (seen.Count < 7) await Task.Delay(20, stop.Token);
        var third = Round("follow-3", epoch, 2);
        var results = await ledger.CommitBatchAsync(third);
        await following;

        Assert.Equal(first.Concat(second).Concat(third), seen.Select(s => s.Settlement));
        Assert.Equal(results[0].BlockNumber, seen.Last().BlockNumber);
        Assert.Equal(results[0].TransactionId, seen.Last().TransactionId);
        Assert.True(seen.Zip(seen.Skip(1)).All(p => p.First.BlockNumber <= p.Second.BlockNumber));
    }

    [Fact]
    public async Task Follow_without_a_block_starts_at_the_next_commit()
    {
        await using var peer = await TestPeer.StartAsync(_pki);
        using var ledger = Ledger(_pki, peer);
        var epoch = LedgerIds.NewEpoch();
        await ledger.CommitBatchAsync(Round("before", epoch, 3));
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var stream = ledger.FollowAsync(null, stop.Token).GetAsyncEnumerator(stop.Token);
        var next = stream.MoveNextAsync().AsTask();
        // The stream is registered when the peer has counted the call; then a new round commits.
        while (peer.CallCounts.GetValueOrDefault("ChaincodeEvents") == 0) await Task.Delay(10, stop.Token);
        var after = Round("after", epoch, 1);
        await ledger.CommitBatchAsync(after);

        Assert.True(await next);
        Assert.Equal(after[0], stream.Current.Settlement);
    }

    [Fact]
    public async Task An_untrusted_identity_cannot_follow()
    {
        await using var peer = await TestPeer.StartAsync(_pki);
        using var rogue = Ledger(_pki, peer, _pki.RogueClient);

        var error = await Assert.ThrowsAsync<FabricLedgerException>(async () =>
        {
            await foreach (var _ in rogue.FollowAsync(1)) { }
        });

        Assert.Equal(FabricFailureKind.AccessDenied, error.Kind);
        Assert.Contains("unknown authority", error.Message);
    }
}
