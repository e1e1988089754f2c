using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Gateway.LedgerClient.Fabric;
using Grpc.Core;
using Gateway.Testing.Fabric;
using static Gateway.LedgerClient.Tests.Fabric.FabricTestSupport;

namespace Gateway.LedgerClient.Tests.Fabric;

/// <summary>What the caller (the outbox) sees when the peer, the orderers or the configuration fail.</summary>
public sealed class FabricFailureTests(PkiFixture fixture) : IClassFixture<PkiFixture>
{
    private readonly TestPki _pki = fixture.Pki;

    [Fact]
    public async Task Certificate_from_an_untrusted_CA_is_denied_and_not_retryable()
    {
        await using var peer = await TestPeer.StartAsync(_pki);
        using var ledger = Ledger(_pki, peer, _pki.RogueClient);

        var error = await Assert.ThrowsAsync<FabricLedgerException>(() => ledger.CommitAsync(Settlement()));

        Assert.Equal(FabricFailureKind.AccessDenied, error.Kind);
        Assert.False(error.IsRetryable);
        var grpc = Assert.IsType<RpcException>(error.InnerException);
        var detail = Assert.Single(FabricRpcError.Details(grpc));
        Assert.Contains("unknown authority", detail.Message);
        Assert.Equal(_pki.MspId, detail.MspId);
        Assert.Equal(0, peer.CallCounts.GetValueOrDefault("Submit"));
        var readError = await Assert.ThrowsAsync<FabricLedgerException>(() => ledger.GetAsync("any"));
        Assert.Equal(FabricFailureKind.AccessDenied, readError.Kind);
    }

    [Fact]
    public async Task Endorsement_failure_is_a_permanent_rejection_and_nothing_is_written()
    {
        await using var peer = await TestPeer.StartAsync(_pki);
        using var ledger = Ledger(_pki, peer);
        var settlement = Settlement();
        peer.Faults.EndorsementFailure = "Error: ledger is read-only during audit";

        var error = await Assert.ThrowsAsync<FabricLedgerException>(() => ledger.CommitAsync(settlement));

        Assert.Equal(FabricFailureKind.Rejected, error.Kind);
        Assert.False(error.IsRetryable);
        Assert.Contains("read-only during audit", error.Message);
        peer.Faults.EndorsementFailure = null;
        Assert.Null(await ledger.GetAsync(settlement.SettlementId));
    }

    [Fact]
    public async Task MVCC_conflict_at_commit_is_retryable_and_the_retry_commits()
    {
        await using var peer = await TestPeer.StartAsync(_pki);
        using var ledger = Ledger(_pki, peer);
        var settlement = Settlement();
        peer.Faults.InjectReadConflicts(1);

        var error = await Assert.ThrowsAsync<FabricLedgerException>(() => ledger.CommitAsync(settlement));

        Assert.Equal(FabricFailureKind.ReadConflict, error.Kind);
        Assert.True(error.IsRetryable);
        Assert.Contains("MvccReadConflict", error.Message);
        Assert.Matches("^[0-9a-f]{64}$", error.TransactionId);
        Assert.Null(await ledger.GetAsync(settlement.SettlementId));

        var retry = await ledger.CommitAsync(settlement);
        Assert.Equal(LedgerCommitOutcome.Committed, retry.Outcome);
        Assert.NotEqual(error.TransactionId, retry.TransactionId);
    }

    [Fact]
    public async Task Slow_peer_times_out_as_a_retryable_error()
    {
        await using var peer = await TestPeer.StartAsync(_pki);
        using var ledger = Ledger(_pki, peer, tweak: o => o.EndorseTimeout = TimeSpan.FromMilliseconds(300));
        peer.Faults.ResponseDelay = TimeSpan.FromSeconds(5);
        var watch = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<FabricLedgerException>(() => ledger.CommitAsync(Settlement()));

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"took {watch.Elapsed}");
        Assert.Equal(FabricFailureKind.Timeout, error.Kind);
        Assert.True(error.IsRetryable);
        Assert.Equal(StatusCode.DeadlineExceeded, Assert.IsType<RpcException>(error.InnerException).StatusCode);
    }

    [Fact]
    public async Task Commit_status_timeout_leaves_an_unknown_outcome_that_a_retry_resolves()
    {
        await using var peer = await TestPeer.StartAsync(_pki, new TestPeerSettings { BatchTimeout = TimeSpan.FromMilliseconds(1500) });
        using var ledger = Ledger(_pki, peer, tweak: o => o.CommitStatusTimeout = TimeSpan.FromMilliseconds(200));
        var settlement = Settlement();

        var error = await Assert.ThrowsAsync<FabricLedgerException>(() => ledger.CommitAsync(settlement));
        Assert.Equal(FabricFailureKind.Timeout, error.Kind);
        Assert.True(error.IsRetryable);
        Assert.NotNull(error.TransactionId);
        Assert.Contains("unknown", error.Message);

        // The submitted transaction lands in the next block; the outbox's retry must not create a second copy.
        while (peer.BlockHeight == 0)
        {
            await Task.Delay(50);
        }
        var retry = await ledger.CommitAsync(settlement);
        Assert.Equal(LedgerCommitOutcome.AlreadyCommitted, retry.Outcome);
        Assert.Equal(error.TransactionId, retry.TransactionId);
    }

    [Fact]
    public async Task Peer_down_is_a_retryable_unavailable_error_and_the_same_ledger_recovers()
    {
        await using var peer = await TestPeer.StartAsync(_pki);
        using var ledger = Ledger(_pki, peer);
        var before = Settlement();
        await ledger.CommitAsync(before);
        await peer.GoDownAsync();
        var settlement = Settlement();

        var error = await Assert.ThrowsAsync<FabricLedgerException>(() => ledger.CommitAsync(settlement));

        Assert.Equal(FabricFailureKind.Unavailable, error.Kind);
        Assert.True(error.IsRetryable);
        Assert.Null(error.TransactionId);

        await peer.ComeBackAsync();
        // The channel reconnects after its (short) backoff; until then calls fail fast as Unavailable, as the outbox expects.
        var deadline = Stopwatch.StartNew();
        LedgerCommitResult? result = null;
        while (result is null)
        {
            try
            {
                result = await ledger.CommitAsync(settlement);
            }
            catch (FabricLedgerException e) when (e.Kind == FabricFailureKind.Unavailable && deadline.Elapsed < TimeSpan.FromSeconds(10))
            {
                await Task.Delay(50);
            }
        }
        Assert.Equal(LedgerCommitOutcome.Committed, result.Outcome);
        // The peer came back with its ledger: what it committed before the outage is still on the chain.
        Assert.NotNull(await ledger.GetAsync(before.SettlementId));
    }

    [Fact]
    public async Task Nothing_listening_is_reported_as_connection_refused()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var options = Options(_pki, new Uri($"http://127.0.0.1:{port}"));
        using var ledger = FabricLedger.Create(options);

        var error = await Assert.ThrowsAsync<FabricLedgerException>(() => ledger.CommitAsync(Settlement()));

        Assert.Equal(FabricFailureKind.Unavailable, error.Kind);
        Assert.True(error.IsRetryable);
        Assert.Contains("Connection refused", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Orderers_unavailable_is_retryable_and_a_later_retry_commits_once()
    {
        await using var peer = await TestPeer.StartAsync(_pki);
        using var ledger = Ledger(_pki, peer);
        var settlement = Settlement();
        peer.Faults.OrderersUnavailable = true;

        var error = await Assert.ThrowsAsync<FabricLedgerException>(() => ledger.CommitAsync(settlement));

        Assert.Equal(FabricFailureKind.Unavailable, error.Kind);
        Assert.True(error.IsRetryable);
        Assert.Contains("no orderers could successfully process transaction", error.Message);

        peer.Faults.OrderersUnavailable = false;
        Assert.Equal(LedgerCommitOutcome.Committed, (await ledger.CommitAsync(settlement)).Outcome);
        Assert.Single(await ledger.QueryRoundAsync(settlement.RoundId));
    }
}
