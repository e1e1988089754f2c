namespace Gateway.LedgerClient.Embedded;

/// <summary>What <see cref="EmbeddedLedgerVerifier"/> found wrong with a block.</summary>
public enum LedgerTamperKind
{
    /// <summary>A block number is missing from the chain (a block was deleted, or blocks renumbered).</summary>
    MissingBlock,
    /// <summary>The block's previous-hash field does not equal the previous block's hash.</summary>
    PreviousHashLink,
    /// <summary>The block's header (timestamp, count, Merkle root, number) no longer hashes to its stored block hash.</summary>
    BlockHash,
    /// <summary>A settlement's stored content no longer matches the hash it was committed with.</summary>
    SettlementContent,
    /// <summary>The block's settlements were added, removed, moved or reordered: they no longer produce its Merkle root.</summary>
    SettlementList,
    /// <summary>Blocks at the end of the chain were removed: the head record names a later block than the last one present.</summary>
    Truncated,
    /// <summary>The chain is self-consistent, but the anchor hash recorded elsewhere is on none of its blocks: the file was rewritten.</summary>
    AnchorMissing,
}
