namespace Gateway.LedgerClient.Fabric;

/// <summary>
/// A settlement or record could not be committed to or read from Fabric. <see cref="IsRetryable"/> tells the outbox
/// whether to keep it and try again (a retry can never create a second copy) or to dead-letter it at once with the
/// peer's reason for an operator.
/// </summary>
public sealed class FabricLedgerException : Exception, ILedgerFailure
{
    /// <summary>Creates the exception.</summary>
    public FabricLedgerException(FabricFailureKind kind, string message, string? transactionId = null, Exception? innerException = null, string? itemKey = null)
        : base(message, innerException)
    {
        Kind = kind;
        TransactionId = transactionId;
        ItemKey = itemKey;
    }

    /// <summary>What went wrong.</summary>
    public FabricFailureKind Kind { get; }

    /// <summary>The Fabric transaction id involved, when one was created.</summary>
    public string? TransactionId { get; }

    /// <summary>True when the same commit may succeed later.</summary>
    public bool IsRetryable => Kind is FabricFailureKind.Unavailable or FabricFailureKind.Timeout or FabricFailureKind.ReadConflict;

    /// <inheritdoc />
    public bool IsPermanent => !IsRetryable;

    /// <summary>The settlement id or record key of a batch the chaincode named as the cause, when it named one.</summary>
    public string? ItemKey { get; }
}
