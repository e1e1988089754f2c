using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Gateway.LedgerClient;

/// <summary>
/// How ids on the ledger are made unique per deployment. A journal gets an epoch when it is created (random, kept in
/// the journal, so a restarted gateway keeps it and its ids stay deterministic for exactly-once delivery); a fresh
/// journal starts a new epoch, so a re-run of a rig on the same channel never produces an earlier run's ids with other
/// content. Settlement ids are <c>{round}/{epoch}/{index:000}/{payer}->{payee}</c>; a round's records on the side
/// chains are keyed <c>{round}/{epoch}</c>.
/// </summary>
public static partial class LedgerIds
{
    /// <summary>Characters of an epoch: lowercase hex.</summary>
    public const int EpochLength = 8;

    /// <summary>A new random epoch.</summary>
    public static string NewEpoch() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(EpochLength / 2));

    /// <summary>True for a well-formed epoch.</summary>
    internal static bool IsEpoch(string? text) => text is { Length: EpochLength } && text.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');

    /// <summary>The key of a round's batch and side-chain records: <c>{round}/{epoch}</c>.</summary>
    public static string BatchKey(string roundId, string epoch) => $"{roundId}/{epoch}";

    /// <summary>A settlement id: <c>{round}/{epoch}/{index:000}/{payer}->{payee}</c>.</summary>
    public static string SettlementId(string roundId, string epoch, int index, string payerId, string payeeId) =>
        string.Create(CultureInfo.InvariantCulture, $"{roundId}/{epoch}/{index:D3}/{payerId}->{payeeId}");

    /// <summary>Reads round and epoch back from a settlement id made by <see cref="SettlementId"/>; false for other ids.</summary>
    public static bool TryParseSettlementId(string settlementId, out string roundId, out string epoch)
    {
        roundId = epoch = "";
        var match = SettlementIdPattern().Match(settlementId);
        if (!match.Success) return false;
        roundId = match.Groups["round"].Value;
        epoch = match.Groups["epoch"].Value;
        return true;
    }

    [GeneratedRegex("^(?<round>.+)/(?<epoch>[0-9a-f]{8})/[0-9]{3,}/.+->.+$", RegexOptions.CultureInvariant)]
    private static partial Regex SettlementIdPattern();
}
