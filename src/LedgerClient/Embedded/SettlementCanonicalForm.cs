using System.Globalization;
using System.Text;

namespace Gateway.LedgerClient.Embedded;

/// <summary>
/// The one byte form of a <see cref="SettlementRecord"/> that is hashed into a block.
/// It is culture-invariant and independent of how a value happens to be held in memory:
/// two records that are equal as values (1.5 and 1.50 kWh, the same instant written with
/// different UTC offsets) have the same canonical bytes, and any change of a value changes them.
/// </summary>
/// <remarks>
/// Format (version 1): UTF-8 text, ten lines joined by a single LF (0x0A), no trailing LF:
/// <code>
/// settlement/v1
/// {SettlementId}
/// {RoundId}
/// {PayerId}
/// {PayeeId}
/// {EnergyKwh}
/// {PricePerKwh}
/// {Amount}
/// {IntervalStartUtc}
/// {IntervalEndUtc}
/// </code>
/// Decimals: invariant digits, '.' as the separator, '-' for negatives, no exponent, no
/// grouping, no trailing fractional zeros, no trailing '.', zero is "0" (so 2.500 → "2.5",
/// 3.0 → "3", -0.0 → "0"). Instants: converted to UTC and written
/// <c>yyyy-MM-ddTHH:mm:ss.fffffffZ</c> (always seven fractional digits).
/// Text fields must be non-empty, at most <see cref="MaxTextLength"/> characters and free of
/// control characters, so the LF separator is unambiguous. A Fabric chaincode or any other
/// verifier can rebuild these bytes from the same fields in a few lines.
/// </remarks>
public static class SettlementCanonicalForm
{
    /// <summary>The first line of every canonical settlement; bumps when the format changes.</summary>
    public const string FormatTag = "settlement/v1";

    /// <summary>Longest id (settlement, round, participant) accepted, in UTF-16 characters.</summary>
    public const int MaxTextLength = 200;

    private const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The canonical UTF-8 bytes of a settlement. Validates the text fields first.</summary>
    /// <exception cref="InvalidSettlementException">A text field is empty, too long or holds a control character or a lone surrogate.</exception>
    internal static byte[] ToBytes(SettlementRecord settlement)
    {
        ArgumentNullException.ThrowIfNull(settlement);
        var id = settlement.SettlementId ?? string.Empty;
        CheckText(id, id, nameof(SettlementRecord.SettlementId));
        CheckText(id, settlement.RoundId, nameof(SettlementRecord.RoundId));
        CheckText(id, settlement.PayerId, nameof(SettlementRecord.PayerId));
        CheckText(id, settlement.PayeeId, nameof(SettlementRecord.PayeeId));
        var text = string.Join('\n',
            FormatTag,
            settlement.SettlementId,
            settlement.RoundId,
            settlement.PayerId,
            settlement.PayeeId,
            FormatDecimal(settlement.EnergyKwh),
            FormatDecimal(settlement.PricePerKwh),
            FormatDecimal(settlement.Amount),
            FormatInstant(settlement.IntervalStartUtc),
            FormatInstant(settlement.IntervalEndUtc));
        try
        {
            return StrictUtf8.GetBytes(text);
        }
        catch (EncoderFallbackException)
        {
            throw new InvalidSettlementException(id, $"settlement '{id}' holds text that is not valid Unicode (a lone surrogate)");
        }
    }

    /// <summary>The canonical text of a decimal (see the type's remarks).</summary>
    public static string FormatDecimal(decimal value)
    {
        if (value == 0m) return "0";
        var text = value.ToString("F28", CultureInfo.InvariantCulture);
        // "F28" never uses an exponent; a decimal has at most 28 fractional digits, so this is exact.
        if (text.Contains('.')) text = text.TrimEnd('0').TrimEnd('.');
        return text;
    }

    /// <summary>Parses a decimal written by <see cref="FormatDecimal"/> (also accepts non-canonical invariant digits).</summary>
    /// <exception cref="FormatException">Not an invariant decimal number.</exception>
    internal static decimal ParseDecimal(string text) =>
        decimal.Parse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);

    /// <summary>The canonical text of an instant: UTC, seven fractional digits, 'Z'.</summary>
    internal static string FormatInstant(DateTimeOffset value) =>
        value.UtcDateTime.ToString(TimestampFormat, CultureInfo.InvariantCulture);

    /// <summary>Parses an instant written by <see cref="FormatInstant"/>.</summary>
    /// <exception cref="FormatException">Not in the canonical instant format.</exception>
    internal static DateTimeOffset ParseInstant(string text) =>
        new(DateTime.SpecifyKind(
            DateTime.ParseExact(text, TimestampFormat, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal),
            DateTimeKind.Utc));

    private static void CheckText(string settlementId, string? value, string field)
    {
        var shownId = settlementId.Length == 0 ? "(no id)" : settlementId;
        if (string.IsNullOrEmpty(value))
            throw new InvalidSettlementException(settlementId, $"settlement '{shownId}': {field} is empty");
        if (value.Length > MaxTextLength)
            throw new InvalidSettlementException(settlementId, $"settlement '{shownId}': {field} is {value.Length} characters long, at most {MaxTextLength} are allowed");
        foreach (var c in value)
        {
            if (char.IsControl(c))
                throw new InvalidSettlementException(settlementId, $"settlement '{shownId}': {field} contains the control character U+{(int)c:X4}");
        }
    }
}
