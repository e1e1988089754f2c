namespace Gateway.LedgerClient.Embedded;

/// <summary>The outcome of walking the whole ledger: the settlement chain and the side chains.</summary>
/// <param name="BlockCount">Settlement blocks checked (up to the first tampered one).</param>
/// <param name="SettlementCount">Settlements checked (up to the first tampered block).</param>
/// <param name="HeadHash">Hex hash of the last block checked; record it elsewhere to detect a rewrite of the whole file.</param>
/// <param name="FirstTamper">The first problem found in the settlement chain, or null when it is intact.</param>
public sealed record LedgerVerification(long BlockCount, long SettlementCount, string? HeadHash, LedgerTamper? FirstTamper)
{
    /// <summary>The side chains (matching, electricity), each walked on its own.</summary>
    public IReadOnlyList<StreamVerification> Streams { get; init; } = [];

    /// <summary>True when every block, link, settlement and side-chain entry checked out.</summary>
    public bool IsIntact => FirstTamper is null && Streams.All(s => s.IsIntact);
}
