using Gateway.LedgerClient.Outbox;

namespace Gateway.LedgerClient.Tests.Outbox;

/// <summary>
/// Wraps the real embedded ledger and fails on demand: down (refuses every call), or
/// "answer lost" (commits for real, then throws as if the reply never arrived), or hanging
/// after the commit until cancelled (a timeout with an unknown outcome).
/// </summary>
internal sealed class SwitchableLedger(ISettlementBatchLedger inner) : ISettlementBatchLedger
{
    public volatile bool Down;
    public int LoseNextAnswers;
    public int HangAfterNextCommits;
    public int Calls;

    public async Task<LedgerCommitResult> CommitAsync(SettlementRecord settlement, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref Calls);
        if (Down) throw new IOException("connection refused (ledger down)");
        var result = await inner.CommitAsync(settlement, cancellationToken);
        await AfterCommitAsync(cancellationToken);
        return result;
    }

    public async Task<IReadOnlyList<LedgerCommitResult>> CommitBatchAsync(IReadOnlyList<SettlementRecord> settlements, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref Calls);
        if (Down) throw new IOException("connection refused (ledger down)");
        var results = await inner.CommitBatchAsync(settlements, cancellationToken);
        await AfterCommitAsync(cancellationToken);
        return results;
    }

    private async Task AfterCommitAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Decrement(ref LoseNextAnswers) >= 0) throw new TimeoutException("reply lost after the commit");
        if (Interlocked.Decrement(ref HangAfterNextCommits) >= 0) await Task.Delay(Timeout.Infinite, cancellationToken);
    }

    public Task<SettlementRecord?> GetAsync(string settlementId, CancellationToken cancellationToken = default) =>
        Down ? throw new IOException("connection refused (ledger down)") : inner.GetAsync(settlementId, cancellationToken);

    public Task<IReadOnlyList<SettlementRecord>> QueryRoundAsync(string roundId, CancellationToken cancellationToken = default) =>
        Down ? throw new IOException("connection refused (ledger down)") : inner.QueryRoundAsync(roundId, cancellationToken);
}
