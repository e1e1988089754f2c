using Gateway.Runtime.Journal;
using Microsoft.Data.Sqlite;

namespace Gateway.Reliability.Tests;

/// <summary>A round as the journal holds it.</summary>
internal sealed record JournalRound(string RoundId, DateTimeOffset IntervalStart, RoundState State, string UpdatedAt);

/// <summary>A setpoint as the journal holds it; <paramref name="Superseded"/>: replaced in its round by a re-check (the device was told a new value after it).</summary>
internal sealed record JournalSetpoint(string RoundId, string DeviceId, double SetpointKw, SetpointStatus Status, double? ReadBackKw, string? Detail, bool Superseded = false);

/// <summary>A settlement in the outbox (journal) or on the ledger.</summary>
internal sealed record SettlementRow(string SettlementId, string RoundId, string PayerId, string PayeeId);

/// <summary>
/// Reads the gateway's journal and the embedded ledger straight from their SQLite files, read-only, while the
/// gateway may still be writing them: what the audit counts is what was made durable, not what the gateway reports.
/// </summary>
internal static class JournalView
{
    private static SqliteConnection Open(string path)
    {
        var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false, DefaultTimeout = 5 }.ToString());
        c.Open();
        return c;
    }

    private static List<T> Query<T>(string path, string sql, Func<SqliteDataReader, T> row)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                using var c = Open(path);
                using var cmd = c.CreateCommand();
                cmd.CommandText = sql;
                using var r = cmd.ExecuteReader();
                var rows = new List<T>();
                while (r.Read()) rows.Add(row(r));
                return rows;
            }
            catch (SqliteException) when (attempt < 50)
            {
                // Busy, or the table is not there yet (a gateway that is still starting): read again shortly.
                Thread.Sleep(20);
            }
        }
    }

    /// <summary>Every round, by interval start; empty when the journal does not exist yet.</summary>
    public static List<JournalRound> Rounds(string journal) => !File.Exists(journal) ? [] :
        Query(journal, "SELECT round_id, interval_start, state, updated_at FROM rounds ORDER BY interval_start",
            r => new JournalRound(r.GetString(0), DateTimeOffset.Parse(r.GetString(1), System.Globalization.CultureInfo.InvariantCulture), (RoundState)r.GetInt32(2), r.GetString(3)));

    /// <summary>Rounds, or none while the journal cannot be read (e.g. its disk is full and a reader cannot open it).</summary>
    public static List<JournalRound> TryRounds(string journal)
    {
        try { return Rounds(journal); }
        catch (SqliteException) { return []; }
    }

    /// <summary>
    /// Every setpoint in the order the journal recorded their intents (rowid: an intent is inserted once), each one a
    /// re-check replaced (kept in superseded_setpoints with its row's rowid) just before the value that replaced it.
    /// </summary>
    public static List<JournalSetpoint> Setpoints(string journal) =>
        Query(journal, """
            SELECT round_id, device_id, setpoint_kw, status, readback_kw, detail, superseded FROM (
                SELECT s.round_id, s.device_id, s.setpoint_kw, s.status, s.readback_kw, s.detail, 0 AS superseded, s.rowid AS ord, 1000000 AS rev
                FROM setpoints s JOIN rounds r ON r.round_id = s.round_id
                UNION ALL
                SELECT x.round_id, x.device_id, x.setpoint_kw, x.status, x.readback_kw, x.detail, 1, x.setpoint_rowid, x.revision
                FROM superseded_setpoints x)
            ORDER BY ord, rev
            """,
            r => new JournalSetpoint(r.GetString(0), r.GetString(1), r.GetDouble(2), (SetpointStatus)r.GetInt32(3), r.IsDBNull(4) ? null : r.GetDouble(4),
                r.IsDBNull(5) ? null : r.GetString(5), r.GetInt32(6) == 1));

    /// <summary>Settlements the journal queued for the ledger.</summary>
    public static List<SettlementRow> Outbox(string journal) =>
        Query(journal, $"SELECT settlement_id, round_id, payer_id, payee_id FROM {Gateway.LedgerClient.Outbox.SettlementOutbox.TableName} ORDER BY seq",
            r => new SettlementRow(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3)));

    /// <summary>Settlements on the embedded ledger.</summary>
    public static List<SettlementRow> Ledger(string ledger) => !File.Exists(ledger) ? [] :
        Query(ledger, "SELECT settlement_id, round_id, payer_id, payee_id FROM settlements ORDER BY block_number, position",
            r => new SettlementRow(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3)));
}
