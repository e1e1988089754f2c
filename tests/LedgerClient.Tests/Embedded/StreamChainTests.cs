using Gateway.LedgerClient.Embedded;
using Gateway.LedgerClient.Outbox;
using Gateway.LedgerClient.Tests.Outbox;
using Gateway.Testing;
using Microsoft.Data.Sqlite;

namespace Gateway.LedgerClient.Tests.Embedded;

/// <summary>The embedded ledger's side chains: the matching and electricity streams, hash-chained like the settlement blocks.</summary>
public sealed class StreamChainTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _clock = TestClocks.New();
    private EmbeddedLedger _ledger = null!;

    public async Task InitializeAsync() => _ledger = await EmbeddedLedger.OpenAsync(_dir.File("ledger.db"), _clock);

    public async Task DisposeAsync()
    {
        await _ledger.DisposeAsync();
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }

    private async Task<IReadOnlyList<RoundRecord>> RecordRoundsAsync(int rounds)
    {
        var all = new List<RoundRecord>();
        for (var r = 0; r < rounds; r++)
        {
            var records = TestRecords.For("site", "0a1b2c3d", $"site-r{r}");
            foreach (var record in records) await _ledger.CommitRecordsAsync([record]);
            all.AddRange(records);
            _clock.Advance(TimeSpan.FromMinutes(15));
        }
        return all;
    }

    private async Task TamperAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={_ledger.DatabasePath};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "DROP TRIGGER stream_entries_append_only_update; DROP TRIGGER stream_entries_append_only_delete; " + sql;
        await command.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task Records_are_chained_per_stream_read_back_byte_for_byte_and_verified()
    {
        var records = await RecordRoundsAsync(5);

        foreach (var record in records)
        {
            var stored = await _ledger.GetRecordAsync(record.Stream, record.Key);
            Assert.Equal(record, stored!.Record);
        }
        var verification = await EmbeddedLedgerVerifier.VerifyAsync(_ledger.DatabasePath);
        Assert.True(verification.IsIntact);
        Assert.Equal([5L, 5L], verification.Streams.Select(s => s.EntryCount));
        Assert.Null(await _ledger.GetRecordAsync(LedgerStream.Matching, "nothing"));
    }

    [Fact]
    public async Task The_same_record_again_is_already_committed_and_other_content_under_its_key_is_refused()
    {
        var records = await RecordRoundsAsync(1);
        var again = await _ledger.CommitRecordsAsync([records[0]]);
        Assert.Equal(LedgerCommitOutcome.AlreadyCommitted, again[0].Outcome);
        Assert.Equal(1, again[0].BlockNumber);

        var error = await Assert.ThrowsAsync<LedgerRecordRejectedException>(() =>
            _ledger.CommitRecordsAsync([records[0] with { PayloadJson = records[0].PayloadJson.Replace("L13", "L12") }]));
        Assert.Equal(records[0].Key, error.ItemKey);
        Assert.Contains("different content", error.Message);
    }

    [Fact]
    public async Task An_edited_payload_is_named_as_the_first_tampered_entry_of_its_stream()
    {
        var records = await RecordRoundsAsync(4);
        await TamperAsync("UPDATE stream_entries SET payload = replace(payload, '-7.38', '-2') WHERE stream = 'electricity' AND number = 3");

        var verification = await EmbeddedLedgerVerifier.VerifyAsync(_ledger.DatabasePath);

        Assert.False(verification.IsIntact);
        Assert.Null(verification.FirstTamper);
        var electricity = Assert.Single(verification.Streams, s => !s.IsIntact);
        Assert.Equal(LedgerStream.Electricity, electricity.Stream);
        Assert.Equal(3, electricity.FirstTamper!.BlockNumber);
        Assert.Equal(LedgerTamperKind.SettlementContent, electricity.FirstTamper.Kind);
        Assert.Equal(records.Where(r => r.Stream == LedgerStream.Electricity).ElementAt(2).Key, electricity.FirstTamper.SettlementId);
    }

    [Fact]
    public async Task A_deleted_entry_and_a_cut_off_end_are_found()
    {
        await RecordRoundsAsync(4);
        await TamperAsync("DELETE FROM stream_entries WHERE stream = 'matching' AND number = 2; DELETE FROM stream_entries WHERE stream = 'electricity' AND number = 4;");

        var verification = await EmbeddedLedgerVerifier.VerifyAsync(_ledger.DatabasePath);

        var matching = verification.Streams.Single(s => s.Stream == LedgerStream.Matching).FirstTamper!;
        Assert.Equal((2L, LedgerTamperKind.MissingBlock), (matching.BlockNumber, matching.Kind));
        var electricity = verification.Streams.Single(s => s.Stream == LedgerStream.Electricity).FirstTamper!;
        Assert.Equal(LedgerTamperKind.Truncated, electricity.Kind);
    }

    [Fact]
    public async Task Following_the_embedded_ledger_yields_settlements_of_new_blocks_in_order()
    {
        await _ledger.CommitBatchAsync(TestSettlements.Round("r-1", 2));
        var followed = new List<CommittedSettlement>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await foreach (var committed in _ledger.FollowAsync(fromBlock: 1, stop.Token))
        {
            followed.Add(committed);
            if (followed.Count == 2) break;
        }
        Assert.Equal(TestSettlements.Round("r-1", 2), followed.Select(f => f.Settlement));
        Assert.All(followed, f => Assert.Equal(1, f.BlockNumber));
    }
}
