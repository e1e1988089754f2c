using Gateway.Drivers.Devices;
using Microsoft.Data.Sqlite;

namespace Gateway.Runtime.Journal;

/// <summary>
/// Brings a journal written by an earlier gateway up to the current schema, in one transaction, so that a restarted
/// gateway of a newer version resumes the rounds an older one left open. The schema version is the journal's own
/// (<c>journal_meta</c> key <c>schema</c>; the file also holds the outbox's tables, so SQLite's <c>user_version</c> is not
/// the journal's to take): none is the journal as first released, each step below raises it by one.
/// </summary>
internal static class JournalMigrations
{
    /// <summary>The schema version this gateway writes.</summary>
    public const int Current = 1;

    /// <summary>How <c>DeviceErrors.Describe</c> began each kind's detail before the kind had a column of its own.</summary>
    private static readonly (string Prefix, DeviceErrorKind Kind)[] LegacyWording =
    [
        ("no answer in time: ", DeviceErrorKind.Timeout),
        ("the device refused: ", DeviceErrorKind.Refused),
        ("garbled answer: ", DeviceErrorKind.Protocol),
        ("unreachable: ", DeviceErrorKind.Unreachable),
        ("read-only: ", DeviceErrorKind.ReadOnly),
        ("unusable value: ", DeviceErrorKind.BadValue),
    ];

    /// <summary>Migrate <paramref name="connection"/>'s journal (tables already created) to <see cref="Current"/>.</summary>
    /// <exception cref="InvalidDataException">The journal was written by a newer gateway.</exception>
    public static void Apply(SqliteConnection connection)
    {
        var version = long.Parse(Scalar(connection, "SELECT value FROM journal_meta WHERE key = 'schema'") ?? "0", System.Globalization.CultureInfo.InvariantCulture);
        if (version > Current)
            throw new InvalidDataException($"the journal {connection.DataSource} has schema version {version}, newer than this gateway's {Current}: use the gateway that wrote it");
        if (version == Current) return;
        using var tx = connection.BeginTransaction();
        if (version < 1) AddDeviceErrorKind(connection, tx);
        Execute(connection, tx, $"INSERT INTO journal_meta(key, value) VALUES ('schema', '{Current}') ON CONFLICT(key) DO UPDATE SET value = excluded.value");
        tx.Commit();
    }

    /// <summary>
    /// Version 1: a missed setpoint carries the kind of the device's failure (<see cref="DeviceErrorKind"/>) in
    /// <c>error_kind</c>. Rows written before hold only the wording of <c>DeviceErrors.Describe</c>; the kind is read back
    /// from it once, here, so a resumed round decides a device's fail-safe range as the round that wrote the row did.
    /// </summary>
    private static void AddDeviceErrorKind(SqliteConnection connection, SqliteTransaction tx)
    {
        foreach (var table in new[] { "setpoints", "superseded_setpoints" })
        {
            if (!HasColumn(connection, tx, table, "error_kind")) Execute(connection, tx, $"ALTER TABLE {table} ADD COLUMN error_kind TEXT");
            foreach (var (prefix, kind) in LegacyWording)
            {
                using var cmd = connection.CreateCommand();
                cmd.Transaction = tx;
                cmd.CommandText = $"UPDATE {table} SET error_kind = $kind WHERE error_kind IS NULL AND status = $missed AND substr(detail, 1, length($prefix)) = $prefix";
                cmd.Parameters.AddWithValue("$kind", kind.ToString());
                cmd.Parameters.AddWithValue("$missed", (int)SetpointStatus.Missed);
                cmd.Parameters.AddWithValue("$prefix", prefix);
                cmd.ExecuteNonQuery();
            }
        }
    }

    private static bool HasColumn(SqliteConnection connection, SqliteTransaction tx, string table, string column)
    {
        using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "SELECT COUNT(*) FROM pragma_table_info($table) WHERE name = $column";
        cmd.Parameters.AddWithValue("$table", table);
        cmd.Parameters.AddWithValue("$column", column);
        return (long)cmd.ExecuteScalar()! > 0;
    }

    private static string? Scalar(SqliteConnection connection, string sql)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        return cmd.ExecuteScalar() as string;
    }

    private static void Execute(SqliteConnection connection, SqliteTransaction tx, string sql)
    {
        using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}
