using Microsoft.Data.Sqlite;

namespace Gateway.LedgerClient.Embedded;

/// <summary>Reads and writes a <see cref="SettlementRecord"/> as the canonical-text columns shared by the ledger and the outbox tables.</summary>
internal static class SettlementRow
{
    /// <summary>Column list in the order <see cref="Read"/> expects, starting at the given ordinal.</summary>
    public const string Columns = "settlement_id, round_id, payer_id, payee_id, energy_kwh, price_per_kwh, amount, interval_start_utc, interval_end_utc";

    /// <summary>The definitions of the columns after settlement_id, as the ledger's and the outbox's tables declare them.</summary>
    public const string DefinitionsAfterId = """
        round_id           TEXT NOT NULL,
        payer_id           TEXT NOT NULL,
        payee_id           TEXT NOT NULL,
        energy_kwh         TEXT NOT NULL,
        price_per_kwh      TEXT NOT NULL,
        amount             TEXT NOT NULL,
        interval_start_utc TEXT NOT NULL,
        interval_end_utc   TEXT NOT NULL
        """;

    /// <summary>Adds $settlement_id … $interval_end_utc parameters.</summary>
    public static void Bind(SqliteCommand command, SettlementRecord settlement)
    {
        command.Parameters.AddWithValue("$settlement_id", settlement.SettlementId);
        command.Parameters.AddWithValue("$round_id", settlement.RoundId);
        command.Parameters.AddWithValue("$payer_id", settlement.PayerId);
        command.Parameters.AddWithValue("$payee_id", settlement.PayeeId);
        command.Parameters.AddWithValue("$energy_kwh", SettlementCanonicalForm.FormatDecimal(settlement.EnergyKwh));
        command.Parameters.AddWithValue("$price_per_kwh", SettlementCanonicalForm.FormatDecimal(settlement.PricePerKwh));
        command.Parameters.AddWithValue("$amount", SettlementCanonicalForm.FormatDecimal(settlement.Amount));
        command.Parameters.AddWithValue("$interval_start_utc", SettlementCanonicalForm.FormatInstant(settlement.IntervalStartUtc));
        command.Parameters.AddWithValue("$interval_end_utc", SettlementCanonicalForm.FormatInstant(settlement.IntervalEndUtc));
    }

    /// <summary>Reads the nine <see cref="Columns"/> starting at <paramref name="first"/>.</summary>
    /// <exception cref="FormatException">A stored value is not in canonical form (the file was edited).</exception>
    public static SettlementRecord Read(SqliteDataReader reader, int first = 0)
    {
        string Text(int i) => reader.IsDBNull(first + i)
            ? throw new FormatException($"column {reader.GetName(first + i)} is NULL")
            : reader.GetValue(first + i) as string ?? throw new FormatException($"column {reader.GetName(first + i)} is not text");
        return new SettlementRecord(
            Text(0), Text(1), Text(2), Text(3),
            Parse(Text(4), reader.GetName(first + 4), SettlementCanonicalForm.ParseDecimal),
            Parse(Text(5), reader.GetName(first + 5), SettlementCanonicalForm.ParseDecimal),
            Parse(Text(6), reader.GetName(first + 6), SettlementCanonicalForm.ParseDecimal),
            Parse(Text(7), reader.GetName(first + 7), SettlementCanonicalForm.ParseInstant),
            Parse(Text(8), reader.GetName(first + 8), SettlementCanonicalForm.ParseInstant));
    }

    private static T Parse<T>(string text, string column, Func<string, T> parse)
    {
        try
        {
            return parse(text);
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            throw new FormatException($"column {column} holds '{text}', not a canonical value", e);
        }
    }
}
