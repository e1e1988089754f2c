namespace Gateway.LedgerClient.Outbox;

/// <summary>
/// Adapts a ledger that commits in one call (the embedded ledger, any <see cref="ISettlementLedger"/>) to the
/// prepare/submit/wait phases: preparing commits, so such a lane takes its batches one after the other.
/// </summary>
internal sealed class SequentialBatchWriter<T>(Func<IReadOnlyList<T>, CancellationToken, Task<IReadOnlyList<LedgerCommitResult>>> commit) : ILedgerBatchWriter<T>
{
    public async Task<IPreparedLedgerBatch> PrepareAsync(IReadOnlyList<T> items, CancellationToken cancellationToken = default) =>
        new Done(await commit(items, cancellationToken).ConfigureAwait(false));

    /// <summary>One settlement after the other, for a ledger without batch commits (each is idempotent, so a retry after a partial batch is safe).</summary>
    public static SequentialBatchWriter<SettlementRecord> OneByOne(ISettlementLedger ledger) => new(async (items, ct) =>
    {
        var results = new List<LedgerCommitResult>(items.Count);
        foreach (var item in items) results.Add(await ledger.CommitAsync(item, ct).ConfigureAwait(false));
        return results;
    });

    private sealed class Done(IReadOnlyList<LedgerCommitResult> results) : IPreparedLedgerBatch
    {
        public string? TransactionId => null;

        public IReadOnlyList<LedgerCommitResult>? AlreadyOnLedger => results;

        public Task SubmitAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task<IReadOnlyList<LedgerCommitResult>> WaitForCommitAsync(CancellationToken cancellationToken = default) => Task.FromResult(results);
    }
}
