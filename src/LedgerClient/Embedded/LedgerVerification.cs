namespace Gateway.LedgerClient.Embedded;

/// <summary>The outcome of walking the whole chain.</summary>
/// <param name="BlockCount">Blocks checked (up to the first tampered one).</param>
/// <param name="SettlementCount">Settlements checked (up to the first tampered block).</param>
/// <param name="HeadHash">Hex hash of the last block checked; record it elsewhere to detect a rewrite of the whole file.</param>
/// <param name="FirstTamper">The first problem found, or null when the chain is intact.</param>
public sealed record LedgerVerification(long BlockCount, long SettlementCount, string? HeadHash, LedgerTamper? FirstTamper)
{
    /// <summary>True when every block, link and settlement checked out.</summary>
    public bool IsIntact => FirstTamper is null;
}
