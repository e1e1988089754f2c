namespace Gateway.LedgerClient.Outbox;

/// <summary>
/// A round record the ledger can never take as it is: malformed, or its key is already on the ledger with other
/// content. The outbox dead-letters it with the message as the reason.
/// </summary>
internal sealed class LedgerRecordRejectedException(string key, string message) : Exception(message), ILedgerFailure
{
    /// <summary>The record's key.</summary>
    public string Key { get; } = key;

    /// <inheritdoc />
    public bool IsPermanent => true;

    /// <inheritdoc />
    public string? ItemKey => Key;
}
