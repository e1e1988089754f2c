using System.Diagnostics;
using Gateway.LedgerClient.Outbox;

namespace Gateway.LedgerClient.Crasher;

/// <summary>Passes calls to the real ledger and SIGKILLs the process right after the K-th commit returned.</summary>
internal sealed class CrashingLedger(ISettlementBatchLedger inner, int killAfterCommits) : ISettlementBatchLedger
{
    private int _commits;

    public async Task<LedgerCommitResult> CommitAsync(SettlementRecord settlement, CancellationToken cancellationToken = default)
    {
        var result = await inner.CommitAsync(settlement, cancellationToken);
        Counted();
        return result;
    }

    public async Task<IReadOnlyList<LedgerCommitResult>> CommitBatchAsync(IReadOnlyList<SettlementRecord> settlements, CancellationToken cancellationToken = default)
    {
        var results = await inner.CommitBatchAsync(settlements, cancellationToken);
        Counted();
        return results;
    }

    public Task<SettlementRecord?> GetAsync(string settlementId, CancellationToken cancellationToken = default) => inner.GetAsync(settlementId, cancellationToken);

    public Task<IReadOnlyList<SettlementRecord>> QueryRoundAsync(string roundId, CancellationToken cancellationToken = default) => inner.QueryRoundAsync(roundId, cancellationToken);

    private void Counted()
    {
        if (++_commits == killAfterCommits) Process.GetCurrentProcess().Kill();
    }
}
