using Gateway.LedgerClient.Embedded;
using Gateway.Testing;
using Microsoft.Data.Sqlite;

namespace Gateway.LedgerClient.Tests.Embedded;

public sealed class EmbeddedLedgerTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 3, 1, 12, 30, 0, TimeSpan.Zero));

    public void Dispose() => _dir.Dispose();

    private Task<EmbeddedLedger> OpenAsync() => EmbeddedLedger.OpenAsync(_dir.File("ledger.db"), _clock);

    [Fact]
    public async Task First_commit_makes_block_one_and_a_repeat_is_already_committed()
    {
        await using var ledger = await OpenAsync();
        var s = TestSettlements.Make("r-1", 0);

        var first = await ledger.CommitAsync(s);
        var again = await ledger.CommitAsync(s with { Amount = s.Amount * 1.00m, IntervalStartUtc = s.IntervalStartUtc.ToOffset(TimeSpan.FromHours(2)) });

        Assert.Equal(new LedgerCommitResult(LedgerCommitOutcome.Committed, 1, first.TransactionId), first);
        Assert.Equal(first with { Outcome = LedgerCommitOutcome.AlreadyCommitted }, again);
        Assert.Equal(64, first.TransactionId.Length);
        Assert.Equal(1, await ledger.CountSettlementsAsync());
        Assert.Equal(s, await ledger.GetAsync(s.SettlementId));
    }

    [Fact]
    public async Task Different_content_under_a_committed_id_is_an_error_and_writes_nothing()
    {
        await using var ledger = await OpenAsync();
        var s = TestSettlements.Make("r-1", 0);
        await ledger.CommitAsync(s);
        var changed = s with { EnergyKwh = 2m, Amount = SettlementBalance.ExpectedAmount(2m, s.PricePerKwh) };

        var e = await Assert.ThrowsAsync<SettlementConflictException>(() => ledger.CommitAsync(changed));

        Assert.Equal(1, e.CommittedInBlock);
        Assert.Contains($"'{s.SettlementId}' is already on the ledger in block 1", e.Message);
        Assert.Contains("EnergyKwh 1.25 ≠ 2", e.Message);
        Assert.Contains("Amount 0.2671 ≠ 0.4274", e.Message);
        Assert.Equal(1, await ledger.CountSettlementsAsync());
        Assert.True((await EmbeddedLedgerVerifier.VerifyAsync(ledger.DatabasePath)).IsIntact);
    }

    [Fact]
    public async Task Unbalanced_settlement_is_refused_before_anything_is_written()
    {
        await using var ledger = await OpenAsync();
        var s = TestSettlements.Make("r-1", 0) with { Amount = 1m };
        var e = await Assert.ThrowsAsync<InvalidSettlementException>(() => ledger.CommitAsync(s));
        Assert.Contains("unbalanced", e.Message);
        Assert.Equal(0, await ledger.CountSettlementsAsync());
    }

    [Fact]
    public async Task Batch_puts_new_settlements_in_one_block_and_reports_known_ones()
    {
        await using var ledger = await OpenAsync();
        var round = TestSettlements.Round("r-7", 5);
        await ledger.CommitAsync(round[2]);

        var results = await ledger.CommitBatchAsync([.. round, round[0]]);

        Assert.Equal(6, results.Count);
        Assert.Equal([2, 2, 1, 2, 2, 2], results.Select(r => r.BlockNumber));
        Assert.Equal(
            [LedgerCommitOutcome.Committed, LedgerCommitOutcome.Committed, LedgerCommitOutcome.AlreadyCommitted,
             LedgerCommitOutcome.Committed, LedgerCommitOutcome.Committed, LedgerCommitOutcome.AlreadyCommitted],
            results.Select(r => r.Outcome));
        var entries = await ledger.QueryRoundEntriesAsync("r-7");
        Assert.Equal([round[2], round[0], round[1], round[3], round[4]], entries.Select(e => e.Settlement));
        Assert.Equal([0, 0, 1, 2, 3], entries.Select(e => e.Position));
        Assert.Equal(_clock.GetUtcNow(), entries[0].CommittedAtUtc);
        Assert.Equal(entries.Select(e => e.Settlement), await ledger.QueryRoundAsync("r-7"));
    }

    [Fact]
    public async Task Batch_with_a_conflict_commits_nothing()
    {
        await using var ledger = await OpenAsync();
        var round = TestSettlements.Round("r-7", 3);
        var twin = round[1] with { PayeeId = "smes" };
        var e = await Assert.ThrowsAsync<SettlementConflictException>(() => ledger.CommitBatchAsync([.. round, twin]));
        Assert.Contains("appears twice in one batch", e.Message);
        Assert.Contains("PayeeId pv-1 ≠ smes", e.Message);
        Assert.Equal(0, await ledger.CountSettlementsAsync());
    }

    [Fact]
    public async Task Chain_of_many_blocks_verifies_and_survives_reopening()
    {
        var path = _dir.File("ledger.db");
        await using (var ledger = await OpenAsync())
        {
            for (var b = 0; b < 120; b++)
            {
                _clock.Advance(TimeSpan.FromMinutes(15));
                if (b % 3 == 0) await ledger.CommitBatchAsync(TestSettlements.Round($"r-{b}", 1 + b % 7));
                else await ledger.CommitAsync(TestSettlements.Make($"r-{b}", 0));
            }
        }
        await using var reopened = await OpenAsync();
        var more = await reopened.CommitAsync(TestSettlements.Make("r-last", 0));
        var verification = await EmbeddedLedgerVerifier.VerifyAsync(path);

        Assert.Equal(121, more.BlockNumber);
        Assert.True(verification.IsIntact, verification.FirstTamper?.Description);
        Assert.Equal(121, verification.BlockCount);
        Assert.Equal(await reopened.CountSettlementsAsync(), verification.SettlementCount);
    }

    [Fact]
    public async Task Blocks_are_stamped_by_the_injected_clock_and_linked()
    {
        await using var ledger = await OpenAsync();
        await ledger.CommitAsync(TestSettlements.Make("r-1", 0));
        _clock.Advance(TimeSpan.FromSeconds(90));
        await ledger.CommitAsync(TestSettlements.Make("r-1", 1));

        await using var connection = new SqliteConnection($"Data Source={ledger.DatabasePath}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT number, previous_hash, timestamp_unix_ms, block_hash FROM blocks ORDER BY number";
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal(new string('0', 64), reader.GetString(1));
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 12, 30, 0, TimeSpan.Zero).ToUnixTimeMilliseconds(), reader.GetInt64(2));
        var firstHash = reader.GetString(3);
        Assert.True(await reader.ReadAsync());
        Assert.Equal(firstHash, reader.GetString(1));
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 12, 31, 30, TimeSpan.Zero).ToUnixTimeMilliseconds(), reader.GetInt64(2));
    }

    [Fact]
    public async Task Updates_through_sqlite_are_refused_by_the_append_only_triggers()
    {
        await using var ledger = await OpenAsync();
        await ledger.CommitAsync(TestSettlements.Make("r-1", 0));
        await using var connection = new SqliteConnection($"Data Source={ledger.DatabasePath}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE settlements SET amount = '9'";
        var e = await Assert.ThrowsAsync<SqliteException>(() => command.ExecuteNonQueryAsync());
        Assert.Contains("append-only", e.Message);
    }

    [Fact]
    public async Task A_file_that_is_not_a_ledger_is_refused()
    {
        var path = _dir.File("other.db");
        await using (var connection = new SqliteConnection($"Data Source={path}"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE ledger_meta(key TEXT PRIMARY KEY, value TEXT); INSERT INTO ledger_meta VALUES ('format', 'journal/3');";
            await command.ExecuteNonQueryAsync();
        }
        var e = await Assert.ThrowsAsync<InvalidDataException>(() => EmbeddedLedger.OpenAsync(path, _clock));
        Assert.Contains("found 'journal/3'", e.Message);

        var text = _dir.File("notes.db");
        await File.WriteAllTextAsync(text, "these are not the bytes of a SQLite database, not at all, no.");
        await Assert.ThrowsAsync<InvalidDataException>(() => EmbeddedLedgerVerifier.VerifyAsync(text));
        await Assert.ThrowsAsync<FileNotFoundException>(() => EmbeddedLedgerVerifier.VerifyAsync(_dir.File("missing.db")));
    }
}
