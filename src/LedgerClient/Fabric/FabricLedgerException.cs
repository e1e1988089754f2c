namespace Gateway.LedgerClient.Fabric;

/// <summary>
/// A settlement could not be committed to or read from Fabric. <see cref="IsRetryable"/> tells the outbox
/// whether to keep the settlement and try again (a retry can never create a second copy) or to park it for
/// an operator.
/// </summary>
public sealed class FabricLedgerException : Exception
{
    /// <summary>Creates the exception.</summary>
    public FabricLedgerException(FabricFailureKind kind, string message, string? transactionId = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
        TransactionId = transactionId;
    }

    /// <summary>What went wrong.</summary>
    public FabricFailureKind Kind { get; }

    /// <summary>The Fabric transaction id involved, when one was created.</summary>
    public string? TransactionId { get; }

    /// <summary>True when the same commit may succeed later.</summary>
    public bool IsRetryable => Kind is FabricFailureKind.Unavailable or FabricFailureKind.Timeout or FabricFailureKind.ReadConflict;
}
