namespace Gateway.LedgerClient.Embedded;

/// <summary>Read-only queries on a ledger file that must not be created or changed (the CLI's <c>ledger show</c>).</summary>
public static class EmbeddedLedgerReader
{
    /// <summary>All settlements of one round with the block each landed in, in commit order.</summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="databasePath"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not an embedded ledger, or a stored value is unreadable.</exception>
    public static async Task<IReadOnlyList<LedgerEntry>> QueryRoundAsync(string databasePath, string roundId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        ArgumentNullException.ThrowIfNull(roundId);
        if (!File.Exists(databasePath)) throw new FileNotFoundException($"no ledger file at {databasePath}", databasePath);
        await using var connection = await EmbeddedLedgerVerifier.OpenForReadAsync(databasePath, cancellationToken).ConfigureAwait(false);
        await EmbeddedLedgerSchema.CheckFormatAsync(connection, databasePath, cancellationToken).ConfigureAwait(false);
        try
        {
            return await EmbeddedLedger.ReadRoundEntriesAsync(connection, roundId, cancellationToken).ConfigureAwait(false);
        }
        catch (FormatException e)
        {
            throw new InvalidDataException($"{databasePath}: a settlement of round '{roundId}' is unreadable ({e.Message}); run `gateway ledger verify`", e);
        }
    }
}
