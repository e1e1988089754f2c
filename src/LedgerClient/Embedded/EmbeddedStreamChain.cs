using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Gateway.LedgerClient.Outbox;
using Microsoft.Data.Sqlite;

namespace Gateway.LedgerClient.Embedded;

/// <summary>
/// The side chains of the embedded ledger (matching and electricity): one hash chain per stream in the same file as
/// the settlement blocks. Each round record is an entry; an entry's hash covers the stream, its number, the previous
/// entry's hash, its timestamp and the record's content hash, so editing, removing or reordering entries breaks the
/// chain exactly as it does for settlement blocks.
/// </summary>
/// <remarks>
/// Entry hash: lowercase hex SHA-256 of the UTF-8 text
/// <c>gateway-ledger-entry/v1 LF stream LF number LF previous-hash LF timestamp-ms LF content-hash</c>; the first entry of a
/// stream has 64 zeros as its previous hash. The content hash is <see cref="RoundRecord.ContentHash"/>.
/// </remarks>
internal static class EmbeddedStreamChain
{
    public const string EntryFormatTag = "gateway-ledger-entry/v1";

    public static readonly string GenesisPreviousHash = new('0', 64);

    public const string CreateSql = $"""
        CREATE TABLE IF NOT EXISTS stream_entries (
            stream            TEXT NOT NULL,
            number            INTEGER NOT NULL,
            previous_hash     TEXT NOT NULL,
            timestamp_unix_ms INTEGER NOT NULL,
            {RoundRecordRow.Definitions},
            entry_hash        TEXT NOT NULL,
            PRIMARY KEY (stream, number),
            UNIQUE (stream, record_key));
        CREATE INDEX IF NOT EXISTS stream_entries_by_round ON stream_entries(stream, round_id);
        CREATE TABLE IF NOT EXISTS stream_heads (
            stream     TEXT PRIMARY KEY,
            number     INTEGER NOT NULL,
            entry_hash TEXT NOT NULL);
        CREATE TRIGGER IF NOT EXISTS stream_entries_append_only_update BEFORE UPDATE ON stream_entries
            BEGIN SELECT RAISE(ABORT, 'the ledger is append-only: stream entries cannot be updated'); END;
        CREATE TRIGGER IF NOT EXISTS stream_entries_append_only_delete BEFORE DELETE ON stream_entries
            BEGIN SELECT RAISE(ABORT, 'the ledger is append-only: stream entries cannot be deleted'); END;
        """;

    public static string EntryHash(string stream, long number, string previousHash, long timestampUnixMs, string contentHash) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n',
            EntryFormatTag, stream, number.ToString(CultureInfo.InvariantCulture), previousHash,
            timestampUnixMs.ToString(CultureInfo.InvariantCulture), contentHash))));

    /// <summary>Appends the records not yet there (inside the caller's write transaction); all or nothing.</summary>
    public static async Task<IReadOnlyList<LedgerCommitResult>> AppendAsync(SqliteConnection connection, SqliteTransaction transaction,
        IReadOnlyList<RoundRecord> records, long timestampUnixMs, CancellationToken cancellationToken)
    {
        var results = new LedgerCommitResult[records.Count];
        var prepared = new List<(int Index, RoundRecord Record, string Hash)>();
        for (var i = 0; i < records.Count; i++)
        {
            var record = records[i];
            string hash;
            try
            {
                hash = record.ContentHash();
            }
            catch (ArgumentException e)
            {
                throw new LedgerRecordRejectedException(record.Key, e.Message);
            }
            var existing = await FindAsync(connection, transaction, record.Stream.Name(), record.Key, cancellationToken).ConfigureAwait(false);
            if (existing is { } found)
            {
                if (found.ContentHash != hash)
                    throw new LedgerRecordRejectedException(record.Key,
                        $"{record.Stream.Name()} record \"{record.Key}\" is already on the ledger (entry {found.Number}) with different content; refusing to record a second version");
                results[i] = new LedgerCommitResult(LedgerCommitOutcome.AlreadyCommitted, found.Number, found.EntryHash);
                continue;
            }
            if (prepared.Any(p => p.Record.Stream == record.Stream && p.Record.Key == record.Key))
            {
                if (prepared.First(p => p.Record.Key == record.Key).Hash != hash)
                    throw new LedgerRecordRejectedException(record.Key, $"record \"{record.Key}\" appears twice in one batch with different content");
                continue;
            }
            prepared.Add((i, record, hash));
        }

        foreach (var (index, record, hash) in prepared)
        {
            var stream = record.Stream.Name();
            var head = await ReadHeadAsync(connection, transaction, stream, cancellationToken).ConfigureAwait(false);
            var number = (head?.Number ?? 0) + 1;
            var previous = head?.Hash ?? GenesisPreviousHash;
            var entryHash = EntryHash(stream, number, previous, timestampUnixMs, hash);
            await using (var insert = connection.CreateCommand())
            {
                insert.Transaction = transaction;
                insert.CommandText = """
                    INSERT INTO stream_entries(stream, number, previous_hash, timestamp_unix_ms, record_key, site_id, epoch, round_id, payload, content_hash, entry_hash)
                    VALUES ($stream, $number, $previous, $timestamp, $key, $site, $epoch, $round, $payload, $content, $entry)
                    """;
                RoundRecordRow.Bind(insert, record);
                insert.Parameters.AddWithValue("$number", number);
                insert.Parameters.AddWithValue("$previous", previous);
                insert.Parameters.AddWithValue("$timestamp", timestampUnixMs);
                insert.Parameters.AddWithValue("$content", hash);
                insert.Parameters.AddWithValue("$entry", entryHash);
                await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            await using (var updateHead = connection.CreateCommand())
            {
                updateHead.Transaction = transaction;
                updateHead.CommandText = """
                    INSERT INTO stream_heads(stream, number, entry_hash) VALUES ($stream, $number, $hash)
                    ON CONFLICT(stream) DO UPDATE SET number = excluded.number, entry_hash = excluded.entry_hash
                    """;
                updateHead.Parameters.AddWithValue("$stream", stream);
                updateHead.Parameters.AddWithValue("$number", number);
                updateHead.Parameters.AddWithValue("$hash", entryHash);
                await updateHead.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            results[index] = new LedgerCommitResult(LedgerCommitOutcome.Committed, number, entryHash);
        }
        for (var i = 0; i < records.Count; i++)
        {
            // A duplicate inside the batch takes the result of its first occurrence.
            results[i] ??= results[Array.FindIndex(records.ToArray(), r => r.Stream == records[i].Stream && r.Key == records[i].Key)] with { Outcome = LedgerCommitOutcome.AlreadyCommitted };
        }
        return results;
    }

    public static async Task<StoredRoundRecord?> GetAsync(SqliteConnection connection, LedgerStream stream, string key, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT number, timestamp_unix_ms, record_key, site_id, epoch, round_id, payload, entry_hash
            FROM stream_entries WHERE stream = $stream AND record_key = $key
            """;
        command.Parameters.AddWithValue("$stream", stream.Name());
        command.Parameters.AddWithValue("$key", key);
        try
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) return null;
            return new StoredRoundRecord(
                new RoundRecord(stream, reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetString(5), reader.GetString(6)),
                reader.GetInt64(0), reader.GetString(7), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)));
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 1 && e.Message.Contains("no such table", StringComparison.Ordinal))
        {
            return null; // a ledger file from before the side chains
        }
    }

    private static async Task<(long Number, string ContentHash, string EntryHash)?> FindAsync(SqliteConnection connection, SqliteTransaction transaction, string stream, string key, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT number, content_hash, entry_hash FROM stream_entries WHERE stream = $stream AND record_key = $key";
        command.Parameters.AddWithValue("$stream", stream);
        command.Parameters.AddWithValue("$key", key);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) return null;
        return (reader.GetInt64(0), reader.GetString(1), reader.GetString(2));
    }

    private static async Task<(long Number, string Hash)?> ReadHeadAsync(SqliteConnection connection, SqliteTransaction transaction, string stream, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        // The last entry itself, not the head record: the head only guards against truncation (checked by verify).
        command.CommandText = "SELECT number, entry_hash FROM stream_entries WHERE stream = $stream ORDER BY number DESC LIMIT 1";
        command.Parameters.AddWithValue("$stream", stream);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) return null;
        return (reader.GetInt64(0), reader.GetString(1));
    }

    /// <summary>Re-walks one stream's chain; the first problem found, or null.</summary>
    public static async Task<StreamVerification> VerifyAsync(SqliteConnection connection, LedgerStream stream, CancellationToken cancellationToken)
    {
        var name = stream.Name();
        if (!await TableExistsAsync(connection, "stream_entries", cancellationToken).ConfigureAwait(false))
            return new StreamVerification(stream, 0, null, null);
        long expected = 1;
        var previous = GenesisPreviousHash;
        string? last = null;
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = """
                SELECT number, previous_hash, timestamp_unix_ms, record_key, site_id, epoch, round_id, payload, content_hash, entry_hash
                FROM stream_entries WHERE stream = $stream ORDER BY number
                """;
            command.Parameters.AddWithValue("$stream", name);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var number = reader.GetInt64(0);
                StreamVerification Fail(LedgerTamperKind kind, string text, string? key = null) =>
                    new(stream, expected - 1, last, new LedgerTamper(number, kind, $"{name} entry {number}: {text}", key));
                if (number != expected)
                    return new StreamVerification(stream, expected - 1, last, new LedgerTamper(expected, LedgerTamperKind.MissingBlock,
                        $"{name} entry {expected} is missing: the chain jumps from entry {expected - 1} to entry {number}"));
                var storedPrevious = reader.GetValue(1) as string ?? "";
                if (storedPrevious != previous)
                    return Fail(LedgerTamperKind.PreviousHashLink, $"previous-hash link broken: it records {Show(storedPrevious)}, entry {number - 1} hashes to {Show(previous)}");
                var key = reader.GetValue(3) as string ?? "";
                string? content;
                try
                {
                    content = new RoundRecord(stream, key, reader.GetString(4), reader.GetString(5), reader.GetString(6), reader.GetString(7)).ContentHash();
                }
                catch (Exception e) when (e is ArgumentException or InvalidCastException)
                {
                    return Fail(LedgerTamperKind.SettlementContent, $"record \"{key}\" unreadable ({e.Message})", key);
                }
                var storedContent = reader.GetValue(8) as string ?? "";
                if (content != storedContent)
                    return Fail(LedgerTamperKind.SettlementContent, $"record \"{key}\" content altered: it hashes to {Show(content)}, not to the recorded {Show(storedContent)}", key);
                var storedEntry = reader.GetValue(9) as string ?? "";
                var entry = EntryHash(name, number, storedPrevious, reader.GetInt64(2), storedContent);
                if (entry != storedEntry)
                    return Fail(LedgerTamperKind.BlockHash, $"entry hash mismatch: its fields hash to {Show(entry)}, not to the stored {Show(storedEntry)}", key);
                previous = last = storedEntry;
                expected++;
            }
        }
        var count = expected - 1;
        await using (var head = connection.CreateCommand())
        {
            head.CommandText = "SELECT number, entry_hash FROM stream_heads WHERE stream = $stream";
            head.Parameters.AddWithValue("$stream", name);
            await using var reader = await head.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var hasHead = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (hasHead && (reader.GetInt64(0) != count || (reader.GetValue(1) as string) != last))
            {
                var headNumber = reader.GetInt64(0);
                return new StreamVerification(stream, count, last, new LedgerTamper(Math.Min(headNumber, count + 1),
                    headNumber > count ? LedgerTamperKind.Truncated : LedgerTamperKind.BlockHash,
                    $"{name}: the head record names entry {headNumber}, the last entry present is {count}"));
            }
            if (!hasHead && count > 0)
                return new StreamVerification(stream, count, last, new LedgerTamper(count, LedgerTamperKind.Truncated, $"{name}: the head record is missing although the chain holds {count} entries"));
        }
        return new StreamVerification(stream, count, last, null);
    }

    internal static async Task<bool> TableExistsAsync(SqliteConnection connection, string table, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = $name";
        command.Parameters.AddWithValue("$name", table);
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))! > 0;
    }

    private static string Show(string hashHex) => hashHex.Length > 16 ? hashHex[..16] + "…" : hashHex;
}

/// <summary>The outcome of walking one side chain of the embedded ledger.</summary>
/// <param name="Stream">Matching or Electricity.</param>
/// <param name="EntryCount">Entries checked (up to the first tampered one).</param>
/// <param name="HeadHash">Hash of the last entry checked.</param>
/// <param name="FirstTamper">The first problem found, or null.</param>
public sealed record StreamVerification(LedgerStream Stream, long EntryCount, string? HeadHash, LedgerTamper? FirstTamper)
{
    /// <summary>True when every entry and link checked out.</summary>
    public bool IsIntact => FirstTamper is null;
}
