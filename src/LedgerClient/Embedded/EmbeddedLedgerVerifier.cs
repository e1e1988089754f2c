using Microsoft.Data.Sqlite;

namespace Gateway.LedgerClient.Embedded;

/// <summary>
/// Re-walks an embedded ledger from block 1, recomputing every settlement hash, Merkle root,
/// block hash and previous-hash link, and names the first block where anything disagrees.
/// </summary>
/// <remarks>
/// Checks per block, in this order, so the report names the cause rather than a symptom:
/// the number follows the previous one; the previous-hash field equals the previous block's
/// hash; the stored header fields hash to the stored block hash; each settlement's content
/// hashes to its committed leaf hash; the settlements, in position order, produce the
/// header's Merkle root. After the last block, the head record must name that block.
/// A file rewritten wholesale with every hash recomputed is consistent by construction:
/// compare <see cref="LedgerVerification.HeadHash"/> with a copy kept elsewhere to catch that.
/// </remarks>
public static class EmbeddedLedgerVerifier
{
    /// <summary>Verifies the ledger file, opened read-only.</summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="databasePath"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not an embedded ledger.</exception>
    public static Task<LedgerVerification> VerifyAsync(string databasePath, CancellationToken cancellationToken = default) =>
        VerifyAsync(databasePath, anchorHashHex: null, cancellationToken);

    /// <summary>
    /// Verifies the ledger file and, when <paramref name="anchorHashHex"/> is given, also that a block with
    /// that hash is in the chain: a head hash recorded elsewhere earlier. A file rewritten wholesale with
    /// every hash recomputed passes the chain checks but loses the anchored block.
    /// </summary>
    /// <param name="databasePath">The ledger file.</param>
    /// <param name="anchorHashHex">A block hash (hex) known to have been on the chain, or null.</param>
    /// <param name="cancellationToken">Cancels the walk.</param>
    /// <exception cref="FileNotFoundException">No file at <paramref name="databasePath"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not an embedded ledger.</exception>
    /// <exception cref="ArgumentException">The anchor is not a 64-digit hex hash.</exception>
    public static async Task<LedgerVerification> VerifyAsync(string databasePath, string? anchorHashHex, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        var anchor = anchorHashHex?.Trim().ToLowerInvariant();
        if (anchor is not null && (anchor.Length != 64 || !anchor.All(char.IsAsciiHexDigit)))
            throw new ArgumentException($"the anchor must be a block hash of 64 hex digits, not '{anchorHashHex}'");
        if (!File.Exists(databasePath)) throw new FileNotFoundException($"no ledger file at {databasePath}", databasePath);
        await using var connection = await OpenForReadAsync(databasePath, cancellationToken).ConfigureAwait(false);
        await EmbeddedLedgerSchema.CheckFormatAsync(connection, databasePath, cancellationToken).ConfigureAwait(false);
        var verification = await VerifyAsync(connection, cancellationToken).ConfigureAwait(false);
        var streams = new List<StreamVerification>();
        foreach (var stream in new[] { LedgerStream.Matching, LedgerStream.Electricity })
            streams.Add(await EmbeddedStreamChain.VerifyAsync(connection, stream, cancellationToken).ConfigureAwait(false));
        verification = verification with { Streams = streams };
        if (anchor is null || verification.FirstTamper is not null) return verification;

        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT number FROM blocks WHERE block_hash = $hash";
        command.Parameters.AddWithValue("$hash", anchor);
        if (await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long) return verification;
        // Which block was rewritten cannot be known without the original; block 1 is the earliest suspect.
        return verification with
        {
            FirstTamper = new LedgerTamper(1, LedgerTamperKind.AnchorMissing,
                $"the chain is self-consistent but no block hashes to the anchor {Show(anchor)}: the ledger was rewritten (or the anchor belongs to another ledger)"),
        };
    }

    internal static async Task<SqliteConnection> OpenForReadAsync(string databasePath, CancellationToken cancellationToken)
    {
        try
        {
            return await EmbeddedLedgerSchema.OpenAsync(databasePath, EmbeddedLedgerSchema.LedgerConnectionRole.ReadOnlyInspection, cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException e)
        {
            throw new InvalidDataException($"{databasePath} is not an embedded ledger ({e.Message})", e);
        }
    }

    private static async Task<LedgerVerification> VerifyAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        long expected = 1;
        long settlementCount = 0;
        var previousHashHex = Convert.ToHexStringLower(BlockHeader.GenesisPreviousHash.Span);
        string? lastHashHex = null;

        await using (var blocks = connection.CreateCommand())
        {
            blocks.CommandText = "SELECT number, previous_hash, timestamp_unix_ms, settlement_count, merkle_root, block_hash FROM blocks ORDER BY number";
            await using var reader = await blocks.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var number = reader.GetInt64(0);
                LedgerVerification Fail(LedgerTamper tamper) => new(expected - 1, settlementCount, lastHashHex, tamper);

                if (number != expected)
                {
                    return Fail(new LedgerTamper(expected, LedgerTamperKind.MissingBlock,
                        expected == 1
                            ? $"block 1 is missing: the chain starts at block {number}"
                            : $"block {expected} is missing: the chain jumps from block {expected - 1} to block {number}"));
                }
                var storedPrevious = reader.GetValue(1) as string ?? "";
                if (!string.Equals(storedPrevious, previousHashHex, StringComparison.Ordinal))
                {
                    return Fail(new LedgerTamper(number, LedgerTamperKind.PreviousHashLink,
                        $"block {number}: previous-hash link broken: it records {Show(storedPrevious)} but block {number - 1} hashes to {Show(previousHashHex)}"));
                }
                var storedHash = reader.GetValue(5) as string ?? "";
                var header = TryHeader(reader);
                var recomputedHash = header is null ? null : Convert.ToHexStringLower(header.ComputeHash());
                if (!string.Equals(recomputedHash, storedHash, StringComparison.Ordinal))
                {
                    return Fail(new LedgerTamper(number, LedgerTamperKind.BlockHash,
                        header is null
                            ? $"block {number}: block hash mismatch: a header field is unreadable (edited)"
                            : $"block {number}: block hash mismatch: its header (timestamp, settlement count, Merkle root) hashes to {Show(recomputedHash!)}, not to the stored {Show(storedHash)}"));
                }

                var (settlementTamper, leaves) = await CheckSettlementsAsync(connection, number, cancellationToken).ConfigureAwait(false);
                if (settlementTamper is not null) return Fail(settlementTamper);
                if (leaves.Count != header!.SettlementCount)
                {
                    return Fail(new LedgerTamper(number, LedgerTamperKind.SettlementList,
                        $"block {number}: settlement list altered: the header says {header.SettlementCount} settlements, the block holds {leaves.Count}"));
                }
                var root = MerkleTree.Root(leaves);
                if (!root.AsSpan().SequenceEqual(header.MerkleRoot))
                {
                    return Fail(new LedgerTamper(number, LedgerTamperKind.SettlementList,
                        $"block {number}: settlement list altered: its settlements in stored order give Merkle root {Show(Convert.ToHexStringLower(root))}, " +
                        $"not the header's {Show(Convert.ToHexStringLower(header.MerkleRoot))} (settlements reordered, swapped between blocks, or rewritten together with their hashes)"));
                }

                settlementCount += leaves.Count;
                previousHashHex = storedHash;
                lastHashHex = storedHash;
                expected++;
            }
        }

        var lastNumber = expected - 1;
        var head = await ReadHeadRecordAsync(connection, cancellationToken).ConfigureAwait(false);
        if (head is { } h && (h.Number != lastNumber || h.HashHex != lastHashHex))
        {
            var kind = h.Number > lastNumber ? LedgerTamperKind.Truncated : LedgerTamperKind.BlockHash;
            var at = h.Number > lastNumber ? lastNumber + 1 : lastNumber;
            return new LedgerVerification(lastNumber, settlementCount, lastHashHex, new LedgerTamper(at, kind,
                h.Number > lastNumber
                    ? $"block {lastNumber + 1} is missing: the head record says the chain ends at block {h.Number} ({Show(h.HashHex)}), but the last block present is {lastNumber}"
                    : $"block {lastNumber}: the head record ({h.Number}, {Show(h.HashHex)}) does not match the last block ({lastNumber}, {Show(lastHashHex ?? "")})"));
        }
        if (head is null && lastNumber > 0)
        {
            return new LedgerVerification(lastNumber, settlementCount, lastHashHex, new LedgerTamper(lastNumber, LedgerTamperKind.Truncated,
                $"block {lastNumber}: the head record is missing although the chain holds {lastNumber} blocks"));
        }

        await using (var orphans = connection.CreateCommand())
        {
            orphans.CommandText = "SELECT settlement_id, block_number FROM settlements WHERE block_number NOT IN (SELECT number FROM blocks) ORDER BY block_number LIMIT 1";
            await using var reader = await orphans.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var id = reader.GetValue(0) as string ?? "";
                var block = reader.GetInt64(1);
                return new LedgerVerification(lastNumber, settlementCount, lastHashHex, new LedgerTamper(block, LedgerTamperKind.SettlementList,
                    $"block {block}: settlement list altered: settlement '{id}' claims block {block}, which is not in the chain", id));
            }
        }
        return new LedgerVerification(lastNumber, settlementCount, lastHashHex, null);
    }

    private static async Task<(LedgerTamper? Tamper, List<byte[]> Leaves)> CheckSettlementsAsync(SqliteConnection connection, long number, CancellationToken cancellationToken)
    {
        var leaves = new List<byte[]>();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT position, leaf_hash, {SettlementRow.Columns} FROM settlements WHERE block_number = $block ORDER BY position";
        command.Parameters.AddWithValue("$block", number);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var id = reader.GetValue(2) as string ?? "";
            var position = reader.GetValue(0) is long p ? p : -1;
            if (position != leaves.Count)
            {
                return (new LedgerTamper(number, LedgerTamperKind.SettlementList,
                    $"block {number}: settlement list altered: settlement '{id}' sits at position {position}, expected {leaves.Count}", id), leaves);
            }
            var storedLeaf = reader.GetValue(1) as string ?? "";
            string? recomputedLeaf;
            string? unreadable = null;
            try
            {
                var settlement = SettlementRow.Read(reader, 2);
                recomputedLeaf = Convert.ToHexStringLower(MerkleTree.LeafHash(SettlementCanonicalForm.ToBytes(settlement)));
            }
            catch (Exception e) when (e is FormatException or InvalidSettlementException)
            {
                recomputedLeaf = null;
                unreadable = e.Message;
            }
            if (!string.Equals(recomputedLeaf, storedLeaf, StringComparison.Ordinal))
            {
                return (new LedgerTamper(number, LedgerTamperKind.SettlementContent,
                    unreadable is not null
                        ? $"block {number}: settlement '{id}' (position {position}) content altered: {unreadable}"
                        : $"block {number}: settlement '{id}' (position {position}) content altered: it hashes to {Show(recomputedLeaf!)}, not to the committed {Show(storedLeaf)}",
                    id), leaves);
            }
            leaves.Add(Convert.FromHexString(storedLeaf));
        }
        return (null, leaves);
    }

    private static BlockHeader? TryHeader(SqliteDataReader reader)
    {
        try
        {
            var previous = Convert.FromHexString(reader.GetString(1));
            var root = Convert.FromHexString(reader.GetString(4));
            if (previous.Length != 32 || root.Length != 32) return null;
            return new BlockHeader(reader.GetInt64(0), previous, reader.GetInt64(2), checked((int)reader.GetInt64(3)), root);
        }
        catch (Exception e) when (e is FormatException or InvalidCastException or OverflowException)
        {
            return null;
        }
    }

    private static async Task<(long Number, string HashHex)?> ReadHeadRecordAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT block_number, block_hash FROM ledger_head WHERE id = 1";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) return null;
        return (reader.GetInt64(0), reader.GetValue(1) as string ?? "");
    }

    // Sixteen hex digits identify a hash for a human; the full value is in the file.
    private static string Show(string hashHex) => hashHex.Length > 16 ? hashHex[..16] + "…" : hashHex;
}
