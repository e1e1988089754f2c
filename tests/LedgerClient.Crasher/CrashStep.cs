namespace Gateway.LedgerClient.Crasher;

/// <summary>Where the crasher kills itself (SIGKILL), counted by <c>--crash-after K</c>.</summary>
public enum CrashStep
{
    /// <summary>Never: run to completion.</summary>
    None,
    /// <summary>After the K-th round's record-and-enqueue transaction committed, before anything is dispatched.</summary>
    MidEnqueue,
    /// <summary>After every round is enqueued, before the first dispatch.</summary>
    AfterEnqueue,
    /// <summary>After the ledger committed the K-th call, before the outbox marks the rows (the "answer lost" crash).</summary>
    AfterLedgerCommit,
    /// <summary>After the K-th dispatcher tick finished marking its rows.</summary>
    AfterMark,
    /// <summary>Fabric: right after the orderers accepted the K-th batch, before its commit status (a batch in flight, outcome unknown).</summary>
    AfterSubmit,
}
