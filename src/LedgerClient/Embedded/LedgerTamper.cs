namespace Gateway.LedgerClient.Embedded;

/// <summary>The first place where the chain does not hold.</summary>
/// <param name="BlockNumber">The first tampered block (for a missing block, its number).</param>
/// <param name="Kind">What is wrong.</param>
/// <param name="Description">One sentence for an operator, naming the block, the settlement and the hashes involved.</param>
/// <param name="SettlementId">The settlement concerned, when one is.</param>
public sealed record LedgerTamper(long BlockNumber, LedgerTamperKind Kind, string Description, string? SettlementId = null);
