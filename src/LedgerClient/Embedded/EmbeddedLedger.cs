using System.Data.Common;
using System.Runtime.CompilerServices;
using Gateway.LedgerClient.Outbox;
using Microsoft.Data.Sqlite;

namespace Gateway.LedgerClient.Embedded;

/// <summary>
/// The default settlement ledger: an append-only hash chain of blocks in one SQLite file.
/// Every commit call appends one block holding the settlements that were not yet on the
/// ledger; each block carries the hash of the previous one, so editing, removing or
/// reordering anything already committed is found by <see cref="EmbeddedLedgerVerifier"/>.
/// </summary>
/// <remarks>
/// Durability: WAL with synchronous=FULL — a commit returns after the block is fsynced.
/// Concurrency: calls on one instance are serialised in process; instances in other tasks or
/// processes on the same file serialise through SQLite's write lock (BEGIN IMMEDIATE, with a
/// busy timeout), and each writer reads the chain head inside its own write transaction, so
/// blocks never fork and a settlement id is committed at most once.
/// </remarks>
public sealed class EmbeddedLedger : ISettlementBatchLedger, IRoundRecordLedger, ISettlementFeed, IAsyncDisposable, IDisposable
{
    private readonly SqliteConnection _writer;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly TimeProvider _timeProvider;
    private bool _disposed;

    private EmbeddedLedger(string databasePath, SqliteConnection writer, TimeProvider timeProvider)
    {
        DatabasePath = databasePath;
        _writer = writer;
        _timeProvider = timeProvider;
    }

    /// <summary>The ledger file.</summary>
    public string DatabasePath { get; }

    /// <summary>Opens the ledger at <paramref name="databasePath"/>, creating the file and its directory when missing.</summary>
    /// <param name="databasePath">Path to the SQLite file (the gateway's default is <c>.gateway/ledger.db</c>).</param>
    /// <param name="timeProvider">The clock that stamps blocks.</param>
    /// <param name="cancellationToken">Cancels opening.</param>
    /// <exception cref="InvalidDataException">The file exists but is not an embedded ledger.</exception>
    public static async Task<EmbeddedLedger> OpenAsync(string databasePath, TimeProvider timeProvider, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        ArgumentNullException.ThrowIfNull(timeProvider);
        var directory = Path.GetDirectoryName(Path.GetFullPath(databasePath));
        if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
        var writer = await EmbeddedLedgerSchema.OpenAsync(databasePath, EmbeddedLedgerSchema.LedgerConnectionRole.Writer, cancellationToken).ConfigureAwait(false);
        try
        {
            await EmbeddedLedgerSchema.EnsureAsync(writer, databasePath, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await writer.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return new EmbeddedLedger(databasePath, writer, timeProvider);
    }

    /// <inheritdoc />
    public async Task<LedgerCommitResult> CommitAsync(SettlementRecord settlement, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settlement);
        var results = await CommitBatchAsync([settlement], cancellationToken).ConfigureAwait(false);
        return results[0];
    }

    /// <summary>
    /// Commits the settlements in one block (those already on the ledger with identical content
    /// come back as <see cref="LedgerCommitOutcome.AlreadyCommitted"/> and are not repeated).
    /// All or nothing: a rejected settlement fails the whole call and nothing is written.
    /// </summary>
    /// <exception cref="InvalidSettlementException">A settlement is malformed or unbalanced.</exception>
    /// <exception cref="SettlementConflictException">A settlement id is on the ledger (or twice in this batch) with different content.</exception>
    public async Task<IReadOnlyList<LedgerCommitResult>> CommitBatchAsync(IReadOnlyList<SettlementRecord> settlements, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settlements);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (settlements.Count == 0) return [];

        // Validate and hash outside the write lock: it is pure work.
        var leaves = new PreparedSettlement[settlements.Count];
        for (var i = 0; i < settlements.Count; i++)
        {
            var settlement = settlements[i] ?? throw new ArgumentException($"settlement {i} is null", nameof(settlements));
            var canonical = SettlementBalance.EnsureValid(settlement);
            var leaf = MerkleTree.LeafHash(canonical);
            leaves[i] = new PreparedSettlement(settlement, leaf, Convert.ToHexStringLower(leaf));
        }

        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await CommitLockedAsync(leaves, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private async Task<IReadOnlyList<LedgerCommitResult>> CommitLockedAsync(PreparedSettlement[] prepared, CancellationToken cancellationToken)
    {
        // BeginTransaction on Microsoft.Data.Sqlite issues BEGIN IMMEDIATE: the write lock is
        // taken before the head is read, so no other process can append in between.
        await using var transaction = (SqliteTransaction)await _writer.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var results = new LedgerCommitResult?[prepared.Length];
        var fresh = new List<int>();
        var firstInBatch = new Dictionary<string, int>(StringComparer.Ordinal);
        // One prepared lookup for the whole batch instead of a statement per settlement.
        await using var lookup = _writer.CreateCommand();
        lookup.Transaction = transaction;
        lookup.CommandText = "SELECT block_number, leaf_hash FROM settlements WHERE settlement_id = $id";
        var lookupId = lookup.Parameters.Add("$id", SqliteType.Text);
        for (var i = 0; i < prepared.Length; i++)
        {
            var p = prepared[i];
            if (firstInBatch.TryGetValue(p.Settlement.SettlementId, out var earlier))
            {
                if (prepared[earlier].LeafHex != p.LeafHex)
                    throw new SettlementConflictException(p.Settlement.SettlementId, 0,
                        $"settlement '{p.Settlement.SettlementId}' appears twice in one batch with different content: {Differences(prepared[earlier].Settlement, p.Settlement)}");
                continue; // resolved after the block is written, from the earlier one's result
            }
            firstInBatch[p.Settlement.SettlementId] = i;
            lookupId.Value = p.Settlement.SettlementId;
            var existing = await FindAsync(lookup, cancellationToken).ConfigureAwait(false);
            if (existing is null)
            {
                fresh.Add(i);
            }
            else if (existing.Value.LeafHex == p.LeafHex)
            {
                results[i] = new LedgerCommitResult(LedgerCommitOutcome.AlreadyCommitted, existing.Value.BlockNumber, existing.Value.LeafHex);
            }
            else
            {
                var committed = await TryReadSettlementAsync(transaction, p.Settlement.SettlementId, cancellationToken).ConfigureAwait(false);
                var what = committed is null ? "its stored content is unreadable" : Differences(committed, p.Settlement);
                throw new SettlementConflictException(p.Settlement.SettlementId, existing.Value.BlockNumber,
                    $"settlement '{p.Settlement.SettlementId}' is already on the ledger in block {existing.Value.BlockNumber} with different content ({what}); refusing to commit a second version");
            }
        }

        if (fresh.Count > 0)
        {
            var blockNumber = await AppendBlockAsync(transaction, fresh.Select(i => prepared[i]).ToList(), cancellationToken).ConfigureAwait(false);
            foreach (var i in fresh)
                results[i] = new LedgerCommitResult(LedgerCommitOutcome.Committed, blockNumber, prepared[i].LeafHex);
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);

        for (var i = 0; i < prepared.Length; i++)
        {
            if (results[i] is null)
            {
                var first = results[firstInBatch[prepared[i].Settlement.SettlementId]]!;
                results[i] = first with { Outcome = LedgerCommitOutcome.AlreadyCommitted };
            }
        }
        return results.Select(r => r!).ToArray();
    }

    private async Task<long> AppendBlockAsync(SqliteTransaction transaction, IReadOnlyList<PreparedSettlement> settlements, CancellationToken cancellationToken)
    {
        var head = await ReadHeadAsync(_writer, transaction, cancellationToken).ConfigureAwait(false);
        var number = head is null ? 1 : head.Value.Number + 1;
        var previousHash = head is null ? BlockHeader.GenesisPreviousHash.ToArray() : Convert.FromHexString(head.Value.HashHex);
        var header = new BlockHeader(
            number,
            previousHash,
            _timeProvider.GetUtcNow().ToUnixTimeMilliseconds(),
            settlements.Count,
            MerkleTree.Root(settlements.Select(s => s.Leaf).ToList()));
        var blockHashHex = Convert.ToHexStringLower(header.ComputeHash());

        await using (var insertBlock = _writer.CreateCommand())
        {
            insertBlock.Transaction = transaction;
            insertBlock.CommandText = """
                INSERT INTO blocks(number, previous_hash, timestamp_unix_ms, settlement_count, merkle_root, block_hash)
                VALUES ($number, $previous_hash, $timestamp, $count, $merkle_root, $block_hash)
                """;
            insertBlock.Parameters.AddWithValue("$number", number);
            insertBlock.Parameters.AddWithValue("$previous_hash", Convert.ToHexStringLower(header.PreviousHash));
            insertBlock.Parameters.AddWithValue("$timestamp", header.TimestampUnixMs);
            insertBlock.Parameters.AddWithValue("$count", header.SettlementCount);
            insertBlock.Parameters.AddWithValue("$merkle_root", Convert.ToHexStringLower(header.MerkleRoot));
            insertBlock.Parameters.AddWithValue("$block_hash", blockHashHex);
            await insertBlock.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (var insertSettlement = _writer.CreateCommand())
        {
            insertSettlement.Transaction = transaction;
            insertSettlement.CommandText = $"""
                INSERT INTO settlements(block_number, position, leaf_hash, {SettlementRow.Columns})
                VALUES ($block_number, $position, $leaf_hash, $settlement_id, $round_id, $payer_id, $payee_id,
                        $energy_kwh, $price_per_kwh, $amount, $interval_start_utc, $interval_end_utc)
                """;
            for (var position = 0; position < settlements.Count; position++)
            {
                insertSettlement.Parameters.Clear();
                insertSettlement.Parameters.AddWithValue("$block_number", number);
                insertSettlement.Parameters.AddWithValue("$position", position);
                insertSettlement.Parameters.AddWithValue("$leaf_hash", settlements[position].LeafHex);
                SettlementRow.Bind(insertSettlement, settlements[position].Settlement);
                await insertSettlement.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        await using (var updateHead = _writer.CreateCommand())
        {
            updateHead.Transaction = transaction;
            updateHead.CommandText = """
                INSERT INTO ledger_head(id, block_number, block_hash) VALUES (1, $number, $hash)
                ON CONFLICT(id) DO UPDATE SET block_number = excluded.block_number, block_hash = excluded.block_hash
                """;
            updateHead.Parameters.AddWithValue("$number", number);
            updateHead.Parameters.AddWithValue("$hash", blockHashHex);
            await updateHead.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        return number;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<LedgerCommitResult>> CommitRecordsAsync(IReadOnlyList<RoundRecord> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (records.Count == 0) return [];
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var transaction = (SqliteTransaction)await _writer.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            var results = await EmbeddedStreamChain.AppendAsync(_writer, transaction, records, _timeProvider.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return results;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <inheritdoc />
    public async Task<StoredRoundRecord?> GetRecordAsync(LedgerStream stream, string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        await using var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        return await EmbeddedStreamChain.GetAsync(connection, stream, key, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>How often <see cref="FollowAsync"/> looks for new blocks.</summary>
    public TimeSpan FollowPollInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <inheritdoc />
    public async IAsyncEnumerable<CommittedSettlement> FollowAsync(long? fromBlock, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        long next;
        await using (var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false))
            next = fromBlock ?? ((await ReadHeadAsync(connection, null, cancellationToken).ConfigureAwait(false))?.Number ?? 0) + 1;
        while (!cancellationToken.IsCancellationRequested)
        {
            var batch = new List<CommittedSettlement>();
            await using (var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false))
            await using (var command = connection.CreateCommand())
            {
                command.CommandText = $"""
                    SELECT s.block_number, s.leaf_hash, {SettlementRow.Columns.Replace("settlement_id", "s.settlement_id")}
                    FROM settlements s WHERE s.block_number >= $next ORDER BY s.block_number, s.position LIMIT 10000
                    """;
                command.Parameters.AddWithValue("$next", next);
                await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    batch.Add(new CommittedSettlement(SettlementRow.Read(reader, 2), reader.GetInt64(0), reader.GetString(1)));
            }
            if (batch.Count > 0)
            {
                // Only whole blocks: the last one read may be cut by the LIMIT.
                var lastBlock = batch[^1].BlockNumber;
                var whole = batch.Count == 10000 && batch[0].BlockNumber != lastBlock ? batch.Where(c => c.BlockNumber < lastBlock).ToList() : batch;
                foreach (var committed in whole) yield return committed;
                next = whole[^1].BlockNumber + 1;
                continue;
            }
            await Task.Delay(FollowPollInterval, _timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async Task<SettlementRecord?> GetAsync(string settlementId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settlementId);
        await using var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {SettlementRow.Columns} FROM settlements WHERE settlement_id = $id";
        command.Parameters.AddWithValue("$id", settlementId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? SettlementRow.Read(reader) : null;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<SettlementRecord>> QueryRoundAsync(string roundId, CancellationToken cancellationToken = default)
    {
        var entries = await QueryRoundEntriesAsync(roundId, cancellationToken).ConfigureAwait(false);
        return entries.Select(e => e.Settlement).ToArray();
    }

    /// <summary>All settlements of one round with the block each landed in, in commit order.</summary>
    public async Task<IReadOnlyList<LedgerEntry>> QueryRoundEntriesAsync(string roundId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(roundId);
        await using var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        return await ReadRoundEntriesAsync(connection, roundId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Number of settlements on the ledger.</summary>
    internal async Task<long> CountSettlementsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM settlements";
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>One settlement with the block it landed in, or null.</summary>
    public async Task<LedgerEntry?> FindEntryAsync(string settlementId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settlementId);
        await using var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        return (await ReadEntriesAsync(connection, "s.settlement_id = $key", settlementId, cancellationToken).ConfigureAwait(false)).FirstOrDefault();
    }

    internal static Task<IReadOnlyList<LedgerEntry>> ReadRoundEntriesAsync(SqliteConnection connection, string roundId, CancellationToken cancellationToken) =>
        ReadEntriesAsync(connection, "s.round_id = $key", roundId, cancellationToken);

    private static async Task<IReadOnlyList<LedgerEntry>> ReadEntriesAsync(SqliteConnection connection, string where, string key, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT s.block_number, s.position, s.leaf_hash, b.timestamp_unix_ms, {SettlementRow.Columns.Replace("settlement_id", "s.settlement_id")}
            FROM settlements s JOIN blocks b ON b.number = s.block_number
            WHERE {where}
            ORDER BY s.block_number, s.position
            """;
        command.Parameters.AddWithValue("$key", key);
        var entries = new List<LedgerEntry>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            entries.Add(new LedgerEntry(
                SettlementRow.Read(reader, 4),
                reader.GetInt64(0),
                reader.GetInt32(1),
                reader.GetString(2),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3))));
        }
        return entries;
    }

    private async Task<SqliteConnection> OpenReaderAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return await EmbeddedLedgerSchema.OpenAsync(DatabasePath, EmbeddedLedgerSchema.LedgerConnectionRole.Reader, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<(long BlockNumber, string LeafHex)?> FindAsync(SqliteCommand lookup, CancellationToken cancellationToken)
    {
        await using var reader = await lookup.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) return null;
        return (reader.GetInt64(0), reader.GetString(1));
    }

    private async Task<SettlementRecord?> TryReadSettlementAsync(SqliteTransaction transaction, string settlementId, CancellationToken cancellationToken)
    {
        await using var command = _writer.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"SELECT {SettlementRow.Columns} FROM settlements WHERE settlement_id = $id";
        command.Parameters.AddWithValue("$id", settlementId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) return null;
        try
        {
            return SettlementRow.Read(reader);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    internal static async Task<(long Number, string HashHex)?> ReadHeadAsync(SqliteConnection connection, SqliteTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT number, block_hash FROM blocks ORDER BY number DESC LIMIT 1";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) return null;
        return (reader.GetInt64(0), reader.GetString(1));
    }

    private static string Differences(SettlementRecord committed, SettlementRecord offered)
    {
        var differences = new List<string>();
        void Compare(string field, string a, string b)
        {
            if (!string.Equals(a, b, StringComparison.Ordinal)) differences.Add($"{field} {a} ≠ {b}");
        }
        Compare(nameof(SettlementRecord.RoundId), committed.RoundId, offered.RoundId);
        Compare(nameof(SettlementRecord.PayerId), committed.PayerId, offered.PayerId);
        Compare(nameof(SettlementRecord.PayeeId), committed.PayeeId, offered.PayeeId);
        Compare(nameof(SettlementRecord.EnergyKwh), SettlementCanonicalForm.FormatDecimal(committed.EnergyKwh), SettlementCanonicalForm.FormatDecimal(offered.EnergyKwh));
        Compare(nameof(SettlementRecord.PricePerKwh), SettlementCanonicalForm.FormatDecimal(committed.PricePerKwh), SettlementCanonicalForm.FormatDecimal(offered.PricePerKwh));
        Compare(nameof(SettlementRecord.Amount), SettlementCanonicalForm.FormatDecimal(committed.Amount), SettlementCanonicalForm.FormatDecimal(offered.Amount));
        Compare(nameof(SettlementRecord.IntervalStartUtc), SettlementCanonicalForm.FormatInstant(committed.IntervalStartUtc), SettlementCanonicalForm.FormatInstant(offered.IntervalStartUtc));
        Compare(nameof(SettlementRecord.IntervalEndUtc), SettlementCanonicalForm.FormatInstant(committed.IntervalEndUtc), SettlementCanonicalForm.FormatInstant(offered.IntervalEndUtc));
        return differences.Count == 0 ? "committed vs offered differ" : "committed vs offered: " + string.Join(", ", differences);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        await _writer.DisposeAsync().ConfigureAwait(false);
        _writeGate.Dispose();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _writer.Dispose();
        _writeGate.Dispose();
    }

    private readonly record struct PreparedSettlement(SettlementRecord Settlement, byte[] Leaf, string LeafHex);
}
