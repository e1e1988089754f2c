namespace Gateway.LedgerClient;

/// <summary>
/// The three streams of the chain design (Li et al. 2021: a transaction main chain and two side chains). Each has
/// its own Fabric channel and contract in the three-channel design, and its own hash chain in the embedded ledger.
/// </summary>
public enum LedgerStream
{
    /// <summary>Transaction main chain: settlements and the payments they make.</summary>
    Settlements,

    /// <summary>Matching side chain: each round's decision (quotations, matches, prices, failed trades and the line that failed them, SMES actions).</summary>
    Matching,

    /// <summary>Electricity side chain: setpoints with their read-back, and metered energy per device and interval.</summary>
    Electricity,
}

/// <summary>Names of the streams as written in files, tables and JSON.</summary>
public static class LedgerStreams
{
    /// <summary>The stream's name: settlements, matching or electricity.</summary>
    public static string Name(this LedgerStream stream) => stream switch
    {
        LedgerStream.Settlements => "settlements",
        LedgerStream.Matching => "matching",
        LedgerStream.Electricity => "electricity",
        _ => throw new ArgumentOutOfRangeException(nameof(stream)),
    };

    /// <summary>Parses a stream name; false for anything else.</summary>
    public static bool TryParse(string? name, out LedgerStream stream)
    {
        foreach (var candidate in Enum.GetValues<LedgerStream>())
        {
            if (string.Equals(candidate.Name(), name, StringComparison.Ordinal))
            {
                stream = candidate;
                return true;
            }
        }
        stream = default;
        return false;
    }
}
