using Gateway.LedgerClient.Embedded;
using Gateway.Testing;
using Microsoft.Data.Sqlite;

namespace Gateway.LedgerClient.Tests.Embedded;

/// <summary>Each test edits a good ten-block chain with raw SQL, as someone with the file would, and expects Verify to name the block and the kind.</summary>
public sealed class TamperDetectionTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly string _path;

    public TamperDetectionTests()
    {
        _path = _dir.File("ledger.db");
    }

    public void Dispose() => _dir.Dispose();

    private async Task BuildChainAsync()
    {
        var clock = TestClocks.New();
        await using var ledger = await EmbeddedLedger.OpenAsync(_path, clock);
        for (var block = 1; block <= 10; block++)
        {
            clock.Advance(TimeSpan.FromMinutes(15));
            await ledger.CommitBatchAsync(TestSettlements.Round($"r-{block}", 1 + block % 3));
        }
        var before = await EmbeddedLedgerVerifier.VerifyAsync(_path);
        Assert.True(before.IsIntact, before.FirstTamper?.Description);
    }

    private async Task TamperAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={_path};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = """
            DROP TRIGGER blocks_append_only_update; DROP TRIGGER blocks_append_only_delete;
            DROP TRIGGER settlements_append_only_update; DROP TRIGGER settlements_append_only_delete;
            """ + sql;
        await command.ExecuteNonQueryAsync();
    }

    private async Task<LedgerTamper> FirstTamperAsync()
    {
        var verification = await EmbeddedLedgerVerifier.VerifyAsync(_path);
        Assert.False(verification.IsIntact);
        return verification.FirstTamper!;
    }

    [Fact]
    public async Task Edited_amount_names_the_settlement_and_its_block()
    {
        await BuildChainAsync();
        await TamperAsync("UPDATE settlements SET amount = '0.9999' WHERE round_id = 'r-5' AND position = 1;");

        var tamper = await FirstTamperAsync();

        Assert.Equal(5, tamper.BlockNumber);
        Assert.Equal(LedgerTamperKind.SettlementContent, tamper.Kind);
        Assert.Equal(TestSettlements.Round("r-5", 3)[1].SettlementId, tamper.SettlementId);
        Assert.StartsWith("block 5: settlement 'r-5/ev-1->pv-1/1' (position 1) content altered", tamper.Description);
    }

    [Fact]
    public async Task Garbled_value_is_reported_as_content_change()
    {
        await BuildChainAsync();
        await TamperAsync("UPDATE settlements SET energy_kwh = 'lots' WHERE round_id = 'r-2' AND position = 0;");
        var tamper = await FirstTamperAsync();
        Assert.Equal((2, LedgerTamperKind.SettlementContent), (tamper.BlockNumber, tamper.Kind));
        Assert.Contains("energy_kwh holds 'lots'", tamper.Description);
    }

    [Fact]
    public async Task Content_rewritten_with_its_leaf_hash_breaks_the_merkle_root()
    {
        await BuildChainAsync();
        var forged = TestSettlements.Make("r-4", 0, 0.5m, 9m);
        var leaf = Convert.ToHexStringLower(MerkleTree.LeafHash(SettlementCanonicalForm.ToBytes(forged)));
        await TamperAsync($"UPDATE settlements SET price_per_kwh = '9', amount = '4.5', leaf_hash = '{leaf}' WHERE settlement_id = '{forged.SettlementId}';");

        var tamper = await FirstTamperAsync();

        Assert.Equal((4, LedgerTamperKind.SettlementList), (tamper.BlockNumber, tamper.Kind));
        Assert.Contains("Merkle root", tamper.Description);
    }

    [Fact]
    public async Task Edited_previous_hash_names_the_broken_link()
    {
        await BuildChainAsync();
        await TamperAsync($"UPDATE blocks SET previous_hash = '{new string('a', 64)}' WHERE number = 7;");
        var tamper = await FirstTamperAsync();
        Assert.Equal((7, LedgerTamperKind.PreviousHashLink), (tamper.BlockNumber, tamper.Kind));
        Assert.StartsWith("block 7: previous-hash link broken: it records aaaaaaaaaaaaaaaa…", tamper.Description);
    }

    [Fact]
    public async Task Edited_timestamp_breaks_the_block_hash()
    {
        await BuildChainAsync();
        await TamperAsync("UPDATE blocks SET timestamp_unix_ms = timestamp_unix_ms + 1 WHERE number = 3;");
        var tamper = await FirstTamperAsync();
        Assert.Equal((3, LedgerTamperKind.BlockHash), (tamper.BlockNumber, tamper.Kind));
        Assert.StartsWith("block 3: block hash mismatch", tamper.Description);
    }

    [Fact]
    public async Task Rehashed_block_breaks_the_link_of_the_next_one()
    {
        await BuildChainAsync();
        // A careful forger edits block 3's timestamp and recomputes its hash; block 4 still points at the old one.
        await using (var connection = new SqliteConnection($"Data Source={_path};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var read = connection.CreateCommand();
            read.CommandText = "SELECT previous_hash, timestamp_unix_ms, settlement_count, merkle_root FROM blocks WHERE number = 3";
            await using var reader = await read.ExecuteReaderAsync();
            await reader.ReadAsync();
            var header = new BlockHeader(3, Convert.FromHexString(reader.GetString(0)), reader.GetInt64(1) + 1000, reader.GetInt32(2), Convert.FromHexString(reader.GetString(3)));
            await reader.CloseAsync();
            await TamperAsync($"UPDATE blocks SET timestamp_unix_ms = {header.TimestampUnixMs}, block_hash = '{Convert.ToHexStringLower(header.ComputeHash())}' WHERE number = 3;");
        }
        var tamper = await FirstTamperAsync();
        Assert.Equal((4, LedgerTamperKind.PreviousHashLink), (tamper.BlockNumber, tamper.Kind));
    }

    [Fact]
    public async Task Deleted_block_is_named_as_missing()
    {
        await BuildChainAsync();
        await TamperAsync("DELETE FROM settlements WHERE block_number = 6; DELETE FROM blocks WHERE number = 6;");
        var tamper = await FirstTamperAsync();
        Assert.Equal((6, LedgerTamperKind.MissingBlock), (tamper.BlockNumber, tamper.Kind));
        Assert.Equal("block 6 is missing: the chain jumps from block 5 to block 7", tamper.Description);
    }

    [Fact]
    public async Task Deleted_last_block_is_named_through_the_head_record()
    {
        await BuildChainAsync();
        await TamperAsync("DELETE FROM settlements WHERE block_number = 10; DELETE FROM blocks WHERE number = 10;");
        var tamper = await FirstTamperAsync();
        Assert.Equal((10, LedgerTamperKind.Truncated), (tamper.BlockNumber, tamper.Kind));
        Assert.Contains("the last block present is 9", tamper.Description);
    }

    [Fact]
    public async Task Reordered_settlements_in_a_block_break_its_merkle_root()
    {
        await BuildChainAsync();
        await TamperAsync("""
            UPDATE settlements SET position = 99 WHERE block_number = 8 AND position = 0;
            UPDATE settlements SET position = 0 WHERE block_number = 8 AND position = 2;
            UPDATE settlements SET position = 2 WHERE block_number = 8 AND position = 99;
            """);
        var tamper = await FirstTamperAsync();
        Assert.Equal((8, LedgerTamperKind.SettlementList), (tamper.BlockNumber, tamper.Kind));
        Assert.StartsWith("block 8: settlement list altered", tamper.Description);
    }

    [Fact]
    public async Task Swapped_blocks_are_caught_at_the_first_one()
    {
        await BuildChainAsync();
        await TamperAsync("""
            UPDATE blocks SET number = 100 WHERE number = 4;
            UPDATE blocks SET number = 4 WHERE number = 5;
            UPDATE blocks SET number = 5 WHERE number = 100;
            UPDATE settlements SET block_number = 100 WHERE block_number = 4;
            UPDATE settlements SET block_number = 4 WHERE block_number = 5;
            UPDATE settlements SET block_number = 5 WHERE block_number = 100;
            """);
        var tamper = await FirstTamperAsync();
        Assert.Equal((4, LedgerTamperKind.PreviousHashLink), (tamper.BlockNumber, tamper.Kind));
    }

    [Fact]
    public async Task Settlement_moved_to_another_block_is_caught()
    {
        await BuildChainAsync();
        await TamperAsync("UPDATE settlements SET block_number = 2, position = 3 WHERE round_id = 'r-9' AND position = 0;");
        var tamper = await FirstTamperAsync();
        Assert.Equal((2, LedgerTamperKind.SettlementList), (tamper.BlockNumber, tamper.Kind));
        Assert.Contains("the header says 3 settlements, the block holds 4", tamper.Description);
    }

    [Fact]
    public async Task Inserted_settlement_is_caught()
    {
        await BuildChainAsync();
        var extra = TestSettlements.Make("r-extra", 0);
        var leaf = Convert.ToHexStringLower(MerkleTree.LeafHash(SettlementCanonicalForm.ToBytes(extra)));
        await TamperAsync($"""
            INSERT INTO settlements(settlement_id, block_number, position, round_id, payer_id, payee_id, energy_kwh, price_per_kwh, amount, interval_start_utc, interval_end_utc, leaf_hash)
            VALUES ('{extra.SettlementId}', 10, 2, 'r-extra', 'ev-0', 'pv-0', '1.25', '0.2137', '0.2671', '2026-03-01T12:00:00.0000000Z', '2026-03-01T12:15:00.0000000Z', '{leaf}');
            """);
        var tamper = await FirstTamperAsync();
        Assert.Equal((10, LedgerTamperKind.SettlementList), (tamper.BlockNumber, tamper.Kind));
    }
}
