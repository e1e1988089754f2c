using Gateway.Runtime.Status;

namespace Gateway.Runtime.Journal;

/// <summary>
/// Every operator acknowledgement, accepted or not, with who, via what, from where and when (wall time), in the round
/// journal's database: the audit trail of who allowed which dispatch. Written before the acknowledgement counts.
/// </summary>
internal sealed class OperatorAckJournal : IDisposable
{
    private readonly JournalTable _table;

    private OperatorAckJournal(JournalTable table) => _table = table;

    /// <summary>Open (creating the table when missing) in the database at <paramref name="path"/>.</summary>
    public static OperatorAckJournal Open(string path) => new(JournalTable.Open(path, """
        CREATE TABLE IF NOT EXISTS operator_acks (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            round_id TEXT NOT NULL,
            operator TEXT NOT NULL,
            via TEXT NOT NULL,
            source TEXT NOT NULL,
            at_utc TEXT NOT NULL,
            counted INTEGER NOT NULL);
        CREATE INDEX IF NOT EXISTS operator_acks_round ON operator_acks(round_id);
        """));

    /// <summary>Journal <paramref name="ack"/>; <paramref name="counted"/> says whether it is the one recorded for its round.</summary>
    public void Record(OperatorAck ack, bool counted) =>
        _table.Execute("INSERT INTO operator_acks (round_id, operator, via, source, at_utc, counted) VALUES ($r, $o, $v, $s, $t, $c)",
            ("$r", ack.RoundId), ("$o", ack.OperatorId), ("$v", ack.Via), ("$s", ack.Source), ("$t", JournalTable.Iso(ack.AtUtc)), ("$c", counted ? 1 : 0));

    /// <summary>Acknowledgements of <paramref name="roundId"/> in the order they came (with whether each counted).</summary>
    public IReadOnlyList<(OperatorAck Ack, bool Counted)> ForRound(string roundId) =>
        _table.Query("SELECT round_id, operator, via, source, at_utc, counted FROM operator_acks WHERE round_id = $r ORDER BY id",
            r => (new OperatorAck(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), JournalTable.ParseIso(r.GetString(4))), r.GetInt32(5) == 1),
            ("$r", roundId));

    /// <inheritdoc />
    public void Dispose() => _table.Dispose();
}
