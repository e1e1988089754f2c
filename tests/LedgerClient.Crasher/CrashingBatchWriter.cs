using System.Diagnostics;
using Gateway.LedgerClient.Outbox;

namespace Gateway.LedgerClient.Crasher;

/// <summary>
/// Passes a Fabric ledger's phases through and SIGKILLs the process right after the K-th batch was submitted (in flight,
/// its outcome unknown to the outbox) or right after the K-th commit status arrived (committed, not yet marked).
/// </summary>
internal sealed class CrashingBatchWriter<TLedger>(TLedger inner, CrashStep step, int killAfter) : ISettlementLedger, ILedgerBatchWriter<SettlementRecord>
    where TLedger : ISettlementLedger, ILedgerBatchWriter<SettlementRecord>
{
    private int _count;

    public async Task<IPreparedLedgerBatch> PrepareAsync(IReadOnlyList<SettlementRecord> items, CancellationToken cancellationToken = default) =>
        new Crashing(await inner.PrepareAsync(items, cancellationToken), this);

    public Task<LedgerCommitResult> CommitAsync(SettlementRecord settlement, CancellationToken cancellationToken = default) => inner.CommitAsync(settlement, cancellationToken);

    public Task<SettlementRecord?> GetAsync(string settlementId, CancellationToken cancellationToken = default) => inner.GetAsync(settlementId, cancellationToken);

    public Task<IReadOnlyList<SettlementRecord>> QueryRoundAsync(string roundId, CancellationToken cancellationToken = default) => inner.QueryRoundAsync(roundId, cancellationToken);

    private void Count(CrashStep at)
    {
        if (step == at && Interlocked.Increment(ref _count) == killAfter) Process.GetCurrentProcess().Kill();
    }

    private sealed class Crashing(IPreparedLedgerBatch prepared, CrashingBatchWriter<TLedger> owner) : IPreparedLedgerBatch
    {
        public string? TransactionId => prepared.TransactionId;

        public IReadOnlyList<LedgerCommitResult>? AlreadyOnLedger => prepared.AlreadyOnLedger;

        public async Task SubmitAsync(CancellationToken cancellationToken = default)
        {
            await prepared.SubmitAsync(cancellationToken);
            owner.Count(CrashStep.AfterSubmit);
        }

        public async Task<IReadOnlyList<LedgerCommitResult>> WaitForCommitAsync(CancellationToken cancellationToken = default)
        {
            var results = await prepared.WaitForCommitAsync(cancellationToken);
            owner.Count(CrashStep.AfterLedgerCommit);
            return results;
        }
    }
}
