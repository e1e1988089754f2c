namespace Gateway.LedgerClient.Outbox;

/// <summary>
/// A ledger backend's way of saying "this settlement can never be committed as it is":
/// its content conflicts with a settlement already on the ledger under the same id, or it
/// is malformed or unbalanced. Retrying cannot help, so the outbox moves it to the
/// dead-letter state with <see cref="Exception.Message"/> as the reason instead of retrying.
/// </summary>
internal class SettlementRejectedException : Exception, ILedgerFailure
{
    /// <summary>Creates the exception for one settlement.</summary>
    /// <param name="settlementId">The settlement that was rejected (may be empty when the id itself is missing).</param>
    /// <param name="message">Why, in words an operator can act on.</param>
    public SettlementRejectedException(string settlementId, string message)
        : base(message)
    {
        SettlementId = settlementId;
    }

    /// <summary>The settlement that was rejected.</summary>
    public string SettlementId { get; }

    /// <inheritdoc />
    public bool IsPermanent => true;

    /// <inheritdoc />
    public string? ItemKey => string.IsNullOrEmpty(SettlementId) ? null : SettlementId;
}
