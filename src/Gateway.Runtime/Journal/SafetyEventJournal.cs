using Gateway.Runtime.Status;

namespace Gateway.Runtime.Journal;

/// <summary>
/// Every step of every e-stop trip and reset (wall time), in the round journal's database: what the interlock did, to
/// which device, when — the record a lab reviews after an incident.
/// </summary>
internal sealed class SafetyEventJournal : IDisposable
{
    private readonly JournalTable _table;

    private SafetyEventJournal(JournalTable table) => _table = table;

    /// <summary>Open (creating the table when missing) in the database at <paramref name="path"/>.</summary>
    public static SafetyEventJournal Open(string path) => new(JournalTable.Open(path, """
        CREATE TABLE IF NOT EXISTS safety_events (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at_utc TEXT NOT NULL,
            kind TEXT NOT NULL,
            trip_id TEXT NOT NULL,
            device_id TEXT,
            detail TEXT NOT NULL);
        """));

    /// <summary>Journal one event.</summary>
    public void Record(InterlockEvent e) =>
        _table.Execute("INSERT INTO safety_events (at_utc, kind, trip_id, device_id, detail) VALUES ($t, $k, $trip, $d, $detail)",
            ("$t", JournalTable.Iso(e.AtUtc)), ("$k", e.Kind), ("$trip", e.TripId), ("$d", e.DeviceId), ("$detail", e.Detail));

    /// <summary>Every event journaled, oldest first.</summary>
    public IReadOnlyList<InterlockEvent> All() =>
        _table.Query("SELECT at_utc, kind, trip_id, device_id, detail FROM safety_events ORDER BY id",
            r => new InterlockEvent(JournalTable.ParseIso(r.GetString(0)), r.GetString(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3), r.GetString(4)));

    /// <inheritdoc />
    public void Dispose() => _table.Dispose();
}
