using System.Globalization;
using Gateway.Drivers.Devices;
using Microsoft.Data.Sqlite;

namespace Gateway.Runtime.Journal;

/// <summary>
/// The gateway's write-ahead record of every market round: inputs, decision, each setpoint
/// (journaled before it is sent), meter readings and the settlement step. A restart —
/// including after kill -9 — reads it back to resume the open round without sending a
/// setpoint twice or settling twice.
/// </summary>
/// <remarks>
/// SQLite in WAL mode with synchronous=FULL: a journal write that returned is on disk.
/// The settlement step runs in one transaction with the caller's ledger-outbox insert, so
/// "settled" and "queued for the ledger" can never disagree.
/// </remarks>
internal sealed class RoundJournal : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly TimeProvider _clock;
    // One gate for every use of the connection: a settlement transaction stays open across an
    // await (the outbox insert is async), and no other command may run on the connection meanwhile.
    private readonly SemaphoreSlim _gate = new(1, 1);

    private RoundJournal(SqliteConnection connection, TimeProvider clock, string epoch)
    {
        _connection = connection;
        _clock = clock;
        Epoch = epoch;
    }

    /// <summary>
    /// This journal's epoch, made when the journal was created and kept for its life: part of every settlement id and
    /// side-chain key, so ids are unique per deployment — a restarted gateway keeps them, a fresh journal (a re-run of
    /// the rig) never reuses an earlier run's ids for other content.
    /// </summary>
    public string Epoch { get; }

    /// <summary>The database file behind the journal.</summary>
    public string Path => _connection.DataSource;

    /// <summary>Open (creating when missing) the journal at <paramref name="path"/>.</summary>
    public static RoundJournal Open(string path, TimeProvider clock)
    {
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            DefaultTimeout = 30,
        }.ToString());
        connection.Open();
        Execute(connection, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=30000;");
        Execute(connection, """
            CREATE TABLE IF NOT EXISTS rounds (
                round_id TEXT PRIMARY KEY,
                interval_start TEXT NOT NULL,
                interval_end TEXT NOT NULL,
                state INTEGER NOT NULL,
                input_json TEXT NOT NULL,
                decision_json TEXT NOT NULL,
                result_json TEXT,
                updated_at TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS setpoints (
                round_id TEXT NOT NULL REFERENCES rounds(round_id),
                device_id TEXT NOT NULL,
                setpoint_kw REAL NOT NULL,
                valid_until TEXT NOT NULL,
                status INTEGER NOT NULL,
                readback_kw REAL,
                detail TEXT,
                updated_at TEXT NOT NULL,
                error_kind TEXT,
                PRIMARY KEY (round_id, device_id));
            CREATE TABLE IF NOT EXISTS meter_readings (
                round_id TEXT NOT NULL REFERENCES rounds(round_id),
                device_id TEXT NOT NULL,
                phase TEXT NOT NULL CHECK (phase IN ('start','end')),
                energy_kwh REAL NOT NULL,
                read_at TEXT NOT NULL,
                PRIMARY KEY (round_id, device_id, phase));
            CREATE TABLE IF NOT EXISTS dispatch_failures (
                round_id TEXT NOT NULL REFERENCES rounds(round_id),
                participant_id TEXT NOT NULL,
                node_id TEXT NOT NULL,
                min_kw REAL NOT NULL,
                max_kw REAL NOT NULL,
                reason TEXT NOT NULL,
                recorded_at TEXT NOT NULL,
                PRIMARY KEY (round_id, participant_id));
            CREATE TABLE IF NOT EXISTS superseded_setpoints (
                round_id TEXT NOT NULL,
                device_id TEXT NOT NULL,
                revision INTEGER NOT NULL,
                setpoint_rowid INTEGER NOT NULL,
                setpoint_kw REAL NOT NULL,
                valid_until TEXT NOT NULL,
                status INTEGER NOT NULL,
                readback_kw REAL,
                detail TEXT,
                revised_because TEXT NOT NULL,
                revised_at TEXT NOT NULL,
                error_kind TEXT,
                PRIMARY KEY (round_id, device_id, revision));
            CREATE TABLE IF NOT EXISTS journal_meta (
                key TEXT PRIMARY KEY,
                value TEXT NOT NULL);
            """);
        JournalMigrations.Apply(connection);
        using (var epoch = connection.CreateCommand())
        {
            epoch.CommandText = "INSERT OR IGNORE INTO journal_meta(key, value) VALUES ('epoch', $epoch); SELECT value FROM journal_meta WHERE key = 'epoch';";
            epoch.Parameters.AddWithValue("$epoch", Gateway.LedgerClient.LedgerIds.NewEpoch());
            return new RoundJournal(connection, clock, (string)epoch.ExecuteScalar()!);
        }
    }

    /// <summary>
    /// Run <paramref name="work"/> inside a transaction of the journal's database, so another
    /// component (the ledger outbox) can create its tables or write beside the journal.
    /// </summary>
    public void WithTransaction(Action<SqliteConnection, SqliteTransaction> work)
    {
        using (Enter())
        {
            using var tx = _connection.BeginTransaction();
            work(_connection, tx);
            tx.Commit();
        }
    }

    /// <summary>
    /// Journal a new round with its inputs and decision. Returns false (and changes nothing)
    /// when the round is already journaled: a restarted gateway keeps the decision it made.
    /// </summary>
    public bool BeginRound(string roundId, DateTimeOffset intervalStartUtc, DateTimeOffset intervalEndUtc, string inputJson, string decisionJson)
    {
        using (Enter())
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = """
                INSERT INTO rounds(round_id, interval_start, interval_end, state, input_json, decision_json, updated_at)
                VALUES ($id, $start, $end, $state, $input, $decision, $now)
                ON CONFLICT(round_id) DO NOTHING
                """;
            cmd.Parameters.AddWithValue("$id", roundId);
            cmd.Parameters.AddWithValue("$start", Iso(intervalStartUtc));
            cmd.Parameters.AddWithValue("$end", Iso(intervalEndUtc));
            cmd.Parameters.AddWithValue("$state", (int)RoundState.Decided);
            cmd.Parameters.AddWithValue("$input", inputJson);
            cmd.Parameters.AddWithValue("$decision", decisionJson);
            cmd.Parameters.AddWithValue("$now", Iso(_clock.GetUtcNow()));
            return cmd.ExecuteNonQuery() == 1;
        }
    }

    /// <summary>Move a round forward to <paramref name="state"/>; moving backwards is a programming error.</summary>
    public void Advance(string roundId, RoundState state, string? resultJson = null)
    {
        using (Enter())
        {
            AdvanceLocked(roundId, state, resultJson, null);
        }
    }

    /// <summary>
    /// Mark the round settled and, in the same transaction, let <paramref name="enqueueSettlements"/>
    /// write the settlements to the ledger outbox. Returns false when the round was already
    /// settled (nothing is enqueued a second time).
    /// </summary>
    public async Task<bool> SettleAsync(string roundId, string resultJson, Func<SqliteConnection, SqliteTransaction, Task> enqueueSettlements)
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            using var tx = _connection.BeginTransaction();
            var current = GetLocked(roundId, tx) ?? throw new InvalidOperationException($"round {roundId} is not in the journal");
            if (current.State >= RoundState.Settled) return false;
            await enqueueSettlements(_connection, tx).ConfigureAwait(false);
            AdvanceLocked(roundId, RoundState.Settled, resultJson, tx);
            tx.Commit();
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Journal a setpoint as intended, before it is written to the device. Idempotent.</summary>
    public void RecordSetpointIntent(string roundId, string deviceId, double setpointKw, DateTimeOffset validUntilUtc) =>
        RecordSetpointIntents(roundId, [new SetpointIntent(deviceId, setpointKw, validUntilUtc)]);

    /// <summary>
    /// Journal a round's setpoints as intended, in one transaction (one flush to disk for all of them), before any is
    /// written to a device. Idempotent per device.
    /// </summary>
    public void RecordSetpointIntents(string roundId, IReadOnlyCollection<SetpointIntent> intents)
    {
        if (intents.Count == 0) return;
        using (Enter())
        {
            using var tx = _connection.BeginTransaction();
            using var cmd = _connection.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = """
                INSERT INTO setpoints(round_id, device_id, setpoint_kw, valid_until, status, updated_at)
                VALUES ($r, $d, $kw, $until, $status, $now)
                ON CONFLICT(round_id, device_id) DO NOTHING
                """;
            cmd.Parameters.AddWithValue("$r", roundId);
            var d = cmd.Parameters.Add("$d", SqliteType.Text);
            var kw = cmd.Parameters.Add("$kw", SqliteType.Real);
            var until = cmd.Parameters.Add("$until", SqliteType.Text);
            cmd.Parameters.AddWithValue("$status", (int)SetpointStatus.Intended);
            cmd.Parameters.AddWithValue("$now", Iso(_clock.GetUtcNow()));
            foreach (var intent in intents)
            {
                d.Value = intent.DeviceId;
                kw.Value = intent.SetpointKw;
                until.Value = Iso(intent.ValidUntilUtc);
                cmd.ExecuteNonQuery();
            }
            tx.Commit();
        }
    }

    /// <summary>Journal what became of a setpoint (confirmed, missed, skipped) and what was read back.</summary>
    public void RecordSetpointOutcome(string roundId, string deviceId, SetpointStatus status, double? readBackKw, string? detail, DeviceErrorKind? errorKind = null) =>
        RecordSetpointOutcomes(roundId, [new SetpointOutcome(deviceId, status, readBackKw, detail, errorKind)]);

    /// <summary>
    /// Journal what became of several setpoints of a round in one transaction: a dispatch commits the outcomes that
    /// arrived while the previous commit was being flushed together (group commit) instead of one flush per device.
    /// </summary>
    /// <exception cref="InvalidOperationException">A device has no intended setpoint in the round (nothing is recorded then).</exception>
    public void RecordSetpointOutcomes(string roundId, IReadOnlyCollection<SetpointOutcome> outcomes)
    {
        if (outcomes.Count == 0) return;
        if (outcomes.Any(o => o.Status == SetpointStatus.Intended)) throw new ArgumentException("an outcome cannot be 'Intended'", nameof(outcomes));
        using (Enter())
        {
            using var tx = _connection.BeginTransaction();
            using var cmd = _connection.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = """
                UPDATE setpoints SET status = $status, readback_kw = $rb, detail = $detail, error_kind = $kind, updated_at = $now
                WHERE round_id = $r AND device_id = $d
                """;
            cmd.Parameters.AddWithValue("$r", roundId);
            var d = cmd.Parameters.Add("$d", SqliteType.Text);
            var status = cmd.Parameters.Add("$status", SqliteType.Integer);
            var rb = cmd.Parameters.Add("$rb", SqliteType.Real);
            var detail = cmd.Parameters.Add("$detail", SqliteType.Text);
            var kind = cmd.Parameters.Add("$kind", SqliteType.Text);
            cmd.Parameters.AddWithValue("$now", Iso(_clock.GetUtcNow()));
            foreach (var outcome in outcomes)
            {
                d.Value = outcome.DeviceId;
                status.Value = (int)outcome.Status;
                rb.Value = (object?)outcome.ReadBackKw ?? DBNull.Value;
                detail.Value = (object?)outcome.Detail ?? DBNull.Value;
                kind.Value = (object?)outcome.ErrorKind?.ToString() ?? DBNull.Value;
                if (cmd.ExecuteNonQuery() != 1)
                    throw new InvalidOperationException($"no intended setpoint for device {outcome.DeviceId} in round {roundId}");
            }
            tx.Commit();
        }
    }

    /// <summary>
    /// Journal, in one transaction, devices found unable to follow a round's decision and the setpoints the re-checked
    /// decision changes: each replaced setpoint is kept (value, outcome) with why it was replaced, and the device's
    /// setpoint becomes the new value, intended again, before it is written. A failure already journaled for a
    /// participant is kept (the first wins: the re-check is recomputed from these rows after a restart).
    /// </summary>
    /// <exception cref="InvalidOperationException">A revised device has no setpoint in the round (nothing is recorded then).</exception>
    public void RecordRecheck(string roundId, IReadOnlyCollection<Gateway.Market.Decision.DispatchFailure> failures, IReadOnlyCollection<SetpointRevision> revisions)
    {
        if (failures.Count == 0 && revisions.Count == 0) return;
        using (Enter())
        {
            using var tx = _connection.BeginTransaction();
            var now = Iso(_clock.GetUtcNow());
            foreach (var f in failures)
            {
                using var cmd = _connection.CreateCommand();
                cmd.Transaction = tx;
                cmd.CommandText = """
                    INSERT INTO dispatch_failures(round_id, participant_id, node_id, min_kw, max_kw, reason, recorded_at)
                    VALUES ($r, $p, $n, $min, $max, $why, $now)
                    ON CONFLICT(round_id, participant_id) DO NOTHING
                    """;
                cmd.Parameters.AddWithValue("$r", roundId);
                cmd.Parameters.AddWithValue("$p", f.ParticipantId);
                cmd.Parameters.AddWithValue("$n", f.NodeId);
                cmd.Parameters.AddWithValue("$min", f.MinPowerKw);
                cmd.Parameters.AddWithValue("$max", f.MaxPowerKw);
                cmd.Parameters.AddWithValue("$why", f.Reason);
                cmd.Parameters.AddWithValue("$now", now);
                cmd.ExecuteNonQuery();
            }

            foreach (var r in revisions)
            {
                using var keep = _connection.CreateCommand();
                keep.Transaction = tx;
                keep.CommandText = """
                    INSERT INTO superseded_setpoints(round_id, device_id, revision, setpoint_rowid, setpoint_kw, valid_until, status, readback_kw, detail, error_kind, revised_because, revised_at)
                    SELECT s.round_id, s.device_id,
                           (SELECT COUNT(*) FROM superseded_setpoints x WHERE x.round_id = s.round_id AND x.device_id = s.device_id),
                           s.rowid, s.setpoint_kw, s.valid_until, s.status, s.readback_kw, s.detail, s.error_kind, $why, $now
                    FROM setpoints s WHERE s.round_id = $r AND s.device_id = $d
                    """;
                keep.Parameters.AddWithValue("$r", roundId);
                keep.Parameters.AddWithValue("$d", r.DeviceId);
                keep.Parameters.AddWithValue("$why", r.Because);
                keep.Parameters.AddWithValue("$now", now);
                if (keep.ExecuteNonQuery() != 1)
                    throw new InvalidOperationException($"no setpoint for device {r.DeviceId} in round {roundId} to revise");
                using var update = _connection.CreateCommand();
                update.Transaction = tx;
                update.CommandText = """
                    UPDATE setpoints SET setpoint_kw = $kw, valid_until = $until, status = $status, readback_kw = NULL, detail = $why, error_kind = NULL, updated_at = $now
                    WHERE round_id = $r AND device_id = $d
                    """;
                update.Parameters.AddWithValue("$r", roundId);
                update.Parameters.AddWithValue("$d", r.DeviceId);
                update.Parameters.AddWithValue("$kw", r.SetpointKw);
                update.Parameters.AddWithValue("$until", Iso(r.ValidUntilUtc));
                update.Parameters.AddWithValue("$status", (int)SetpointStatus.Intended);
                update.Parameters.AddWithValue("$why", "revised: " + r.Because);
                update.Parameters.AddWithValue("$now", now);
                update.ExecuteNonQuery();
            }

            tx.Commit();
        }
    }

    /// <summary>The devices journaled as unable to follow a round's decision, by participant id (ordinal).</summary>
    public IReadOnlyList<Gateway.Market.Decision.DispatchFailure> DispatchFailures(string roundId)
    {
        using (Enter())
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = "SELECT participant_id, node_id, min_kw, max_kw, reason FROM dispatch_failures WHERE round_id = $r ORDER BY participant_id";
            cmd.Parameters.AddWithValue("$r", roundId);
            using var reader = cmd.ExecuteReader();
            var list = new List<Gateway.Market.Decision.DispatchFailure>();
            while (reader.Read())
                list.Add(new Gateway.Market.Decision.DispatchFailure(reader.GetString(0), reader.GetString(1), reader.GetDouble(2), reader.GetDouble(3), reader.GetString(4)));
            return list;
        }
    }

    /// <summary>The setpoints of a round that a re-check replaced, oldest first, with why.</summary>
    public IReadOnlyList<(JournaledSetpoint Setpoint, string RevisedBecause)> SupersededSetpoints(string roundId)
    {
        using (Enter())
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = """
                SELECT round_id, device_id, setpoint_kw, valid_until, status, readback_kw, detail, error_kind, revised_because
                FROM superseded_setpoints WHERE round_id = $r ORDER BY device_id, revision
                """;
            cmd.Parameters.AddWithValue("$r", roundId);
            using var reader = cmd.ExecuteReader();
            var list = new List<(JournaledSetpoint, string)>();
            while (reader.Read())
            {
                list.Add((new JournaledSetpoint(
                    reader.GetString(0), reader.GetString(1), reader.GetDouble(2), ParseIso(reader.GetString(3)),
                    (SetpointStatus)reader.GetInt32(4),
                    reader.IsDBNull(5) ? null : reader.GetDouble(5),
                    reader.IsDBNull(6) ? null : reader.GetString(6), ErrorKind(reader, 7)), reader.GetString(8)));
            }
            return list;
        }
    }

    /// <summary>Journal a device's energy counter at the start or end of a round. The first reading of a phase wins.</summary>
    public void RecordMeterReading(string roundId, string deviceId, MeterPhase phase, double energyKwh) =>
        RecordMeterReadings(roundId, phase, [new KeyValuePair<string, double>(deviceId, energyKwh)]);

    /// <summary>Journal the energy counters of a phase of a round in one transaction (device id → kWh). The first reading of a phase wins.</summary>
    public void RecordMeterReadings(string roundId, MeterPhase phase, IReadOnlyCollection<KeyValuePair<string, double>> energyKwhByDevice)
    {
        if (energyKwhByDevice.Count == 0) return;
        using (Enter())
        {
            using var tx = _connection.BeginTransaction();
            using var cmd = _connection.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = """
                INSERT INTO meter_readings(round_id, device_id, phase, energy_kwh, read_at)
                VALUES ($r, $d, $p, $e, $now)
                ON CONFLICT(round_id, device_id, phase) DO NOTHING
                """;
            cmd.Parameters.AddWithValue("$r", roundId);
            cmd.Parameters.AddWithValue("$p", phase == MeterPhase.Start ? "start" : "end");
            cmd.Parameters.AddWithValue("$now", Iso(_clock.GetUtcNow()));
            var d = cmd.Parameters.Add("$d", SqliteType.Text);
            var e = cmd.Parameters.Add("$e", SqliteType.Real);
            foreach (var (deviceId, kwh) in energyKwhByDevice)
            {
                d.Value = deviceId;
                e.Value = kwh;
                cmd.ExecuteNonQuery();
            }
            tx.Commit();
        }
    }

    /// <summary>Energy counters journaled for a round and phase, by device.</summary>
    public IReadOnlyDictionary<string, double> MeterReadings(string roundId, MeterPhase phase)
    {
        using (Enter())
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = "SELECT device_id, energy_kwh FROM meter_readings WHERE round_id = $r AND phase = $p";
            cmd.Parameters.AddWithValue("$r", roundId);
            cmd.Parameters.AddWithValue("$p", phase == MeterPhase.Start ? "start" : "end");
            using var reader = cmd.ExecuteReader();
            var result = new Dictionary<string, double>(StringComparer.Ordinal);
            while (reader.Read()) result[reader.GetString(0)] = reader.GetDouble(1);
            return result;
        }
    }

    /// <summary>The setpoints journaled for a round, by device id.</summary>
    public IReadOnlyList<JournaledSetpoint> Setpoints(string roundId)
    {
        using (Enter())
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = """
                SELECT round_id, device_id, setpoint_kw, valid_until, status, readback_kw, detail, error_kind
                FROM setpoints WHERE round_id = $r ORDER BY device_id
                """;
            cmd.Parameters.AddWithValue("$r", roundId);
            using var reader = cmd.ExecuteReader();
            var list = new List<JournaledSetpoint>();
            while (reader.Read())
            {
                list.Add(new JournaledSetpoint(
                    reader.GetString(0), reader.GetString(1), reader.GetDouble(2), ParseIso(reader.GetString(3)),
                    (SetpointStatus)reader.GetInt32(4),
                    reader.IsDBNull(5) ? null : reader.GetDouble(5),
                    reader.IsDBNull(6) ? null : reader.GetString(6), ErrorKind(reader, 7)));
            }
            return list;
        }
    }

    /// <summary>A round by id, or null.</summary>
    public JournaledRound? Get(string roundId)
    {
        using (Enter()) return GetLocked(roundId, null);
    }

    /// <summary>
    /// A round's state, or null when the journal does not hold it. Reads that column alone: a round's input and decision
    /// run to megabytes at thousands of devices, and the round loop asks for the state at every step.
    /// </summary>
    public RoundState? StateOf(string roundId)
    {
        using (Enter())
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = "SELECT state FROM rounds WHERE round_id = $id";
            cmd.Parameters.AddWithValue("$id", roundId);
            return cmd.ExecuteScalar() is long state ? (RoundState)state : null;
        }
    }

    /// <summary>The end of the latest interval the journal holds a round of, or null when it holds none.</summary>
    public DateTimeOffset? LastIntervalEnd()
    {
        using (Enter())
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = "SELECT interval_end FROM rounds ORDER BY interval_start DESC LIMIT 1";
            return cmd.ExecuteScalar() is string end ? ParseIso(end) : null;
        }
    }

    /// <summary>The rounds not yet closed, oldest first: what a restarted gateway must finish.</summary>
    public IReadOnlyList<JournaledRound> OpenRounds() => Query("WHERE state < $closed ORDER BY interval_start", ("$closed", (int)RoundState.Closed));

    /// <summary>Every round, oldest first.</summary>
    public IReadOnlyList<JournaledRound> AllRounds() => Query("ORDER BY interval_start");

    /// <inheritdoc />
    public void Dispose()
    {
        _connection.Dispose();
        _gate.Dispose();
    }

    private GateRelease Enter()
    {
        _gate.Wait();
        return new GateRelease(_gate);
    }

    private readonly struct GateRelease(SemaphoreSlim gate) : IDisposable
    {
        public void Dispose() => gate.Release();
    }

    private IReadOnlyList<JournaledRound> Query(string where, params (string Name, object Value)[] parameters)
    {
        using (Enter())
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = $"SELECT round_id, interval_start, interval_end, state, input_json, decision_json, result_json FROM rounds {where}";
            foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, value);
            using var reader = cmd.ExecuteReader();
            var list = new List<JournaledRound>();
            while (reader.Read()) list.Add(ReadRound(reader));
            return list;
        }
    }

    private JournaledRound? GetLocked(string roundId, SqliteTransaction? tx)
    {
        using var cmd = _connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "SELECT round_id, interval_start, interval_end, state, input_json, decision_json, result_json FROM rounds WHERE round_id = $id";
        cmd.Parameters.AddWithValue("$id", roundId);
        using var reader = cmd.ExecuteReader();
        return reader.Read() ? ReadRound(reader) : null;
    }

    private void AdvanceLocked(string roundId, RoundState state, string? resultJson, SqliteTransaction? tx)
    {
        using var cmd = _connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = """
            UPDATE rounds SET state = $state, result_json = COALESCE($result, result_json), updated_at = $now
            WHERE round_id = $id AND state <= $state
            """;
        cmd.Parameters.AddWithValue("$id", roundId);
        cmd.Parameters.AddWithValue("$state", (int)state);
        cmd.Parameters.AddWithValue("$result", (object?)resultJson ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$now", Iso(_clock.GetUtcNow()));
        if (cmd.ExecuteNonQuery() != 1)
        {
            var current = GetLocked(roundId, tx);
            throw new InvalidOperationException(current is null
                ? $"round {roundId} is not in the journal"
                : $"round {roundId} is already {current.State}; it cannot go back to {state}");
        }
    }

    // By name, not number: a journal stays readable if the enum is ever reordered; a name this gateway does not know
    // (written by a newer one) reads as no kind, which the re-check treats as "may have landed", the cautious range.
    private static DeviceErrorKind? ErrorKind(SqliteDataReader reader, int ordinal) =>
        !reader.IsDBNull(ordinal) && Enum.TryParse<DeviceErrorKind>(reader.GetString(ordinal), out var kind) ? kind : null;

    private static JournaledRound ReadRound(SqliteDataReader reader) => new(
        reader.GetString(0), ParseIso(reader.GetString(1)), ParseIso(reader.GetString(2)),
        (RoundState)reader.GetInt32(3), reader.GetString(4), reader.GetString(5),
        reader.IsDBNull(6) ? null : reader.GetString(6));

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset ParseIso(string s) => DateTimeOffset.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}
