namespace Gateway.LedgerClient;

/// <summary>
/// What a ledger backend says about a failed commit, so the outbox knows what to do with it without knowing the
/// backend: a permanent failure goes to the dead-letter table at once (with the backend's reason), a transient one
/// is retried; <see cref="ItemKey"/> names the one settlement or record of a batch that caused it, so the rest of
/// the batch can go on without it.
/// </summary>
internal interface ILedgerFailure
{
    /// <summary>True when retrying the same commit cannot succeed (a rejection, a conflict, a refused identity).</summary>
    bool IsPermanent { get; }

    /// <summary>The settlement id or record key the failure is about, or null when it concerns the whole batch.</summary>
    string? ItemKey { get; }
}
