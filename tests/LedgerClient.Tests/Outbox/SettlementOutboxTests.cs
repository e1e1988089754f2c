using Gateway.LedgerClient.Embedded;
using Gateway.LedgerClient.Outbox;
using Gateway.LedgerClient.Tests.Embedded;
using Gateway.Testing;
using Microsoft.Data.Sqlite;

namespace Gateway.LedgerClient.Tests.Outbox;

public sealed class SettlementOutboxTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _clock = TestClocks.New();
    private readonly TestJournal _journal;

    public SettlementOutboxTests()
    {
        _journal = new TestJournal(_dir.File("journal.db"), _clock);
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Settlements_are_queued_only_when_the_callers_transaction_commits()
    {
        await using (var connection = await _journal.OpenAsync())
        await using (var transaction = (SqliteTransaction)await connection.BeginTransactionAsync())
        {
            Assert.Equal(3, await _journal.Outbox.EnqueueAsync(transaction, TestSettlements.Round("r-1", 3)));
            await transaction.RollbackAsync();
        }
        Assert.Equal(0, (await _journal.BacklogAsync()).PendingCount);

        Assert.Equal(3, await _journal.RecordRoundAsync("r-1", TestSettlements.Round("r-1", 3)));
        var entries = await _journal.EntriesAsync();
        Assert.Equal(TestSettlements.Round("r-1", 3), entries.Select(e => e.Settlement));
        Assert.All(entries, e => Assert.Equal(OutboxEntryState.Pending, e.State));
        Assert.Equal(_clock.GetUtcNow(), entries[0].EnqueuedAtUtc);
    }

    [Fact]
    public async Task Enqueue_is_idempotent_on_the_settlement_id()
    {
        await _journal.RecordRoundAsync("r-1", TestSettlements.Round("r-1", 3));
        Assert.Equal(1, await _journal.RecordRoundAsync("r-1", TestSettlements.Round("r-1", 4)));
        Assert.Equal(4, (await _journal.BacklogAsync()).PendingCount);
    }

    [Fact]
    public async Task Different_content_under_a_queued_id_is_refused()
    {
        var round = TestSettlements.Round("r-1", 2);
        await _journal.RecordRoundAsync("r-1", round);
        var e = await Assert.ThrowsAsync<SettlementRejectedException>(() =>
            _journal.RecordRoundAsync("r-1", [round[0] with { PayerId = "ev-99" }]));
        Assert.Contains($"'{round[0].SettlementId}' is already in the outbox (pending) with different content", e.Message);
    }

    [Fact]
    public async Task Unbalanced_settlement_fails_the_recording_transaction()
    {
        var round = TestSettlements.Round("r-1", 2);
        var e = await Assert.ThrowsAsync<InvalidSettlementException>(() =>
            _journal.RecordRoundAsync("r-1", [round[0], round[1] with { Amount = 5m }]));
        Assert.Contains("unbalanced", e.Message);
        Assert.Equal(0, (await _journal.BacklogAsync()).PendingCount);
    }

    [Fact]
    public async Task Backlog_reports_count_and_age_of_the_oldest()
    {
        await _journal.RecordRoundAsync("r-1", TestSettlements.Round("r-1", 2));
        _clock.Advance(TimeSpan.FromMinutes(40));
        await _journal.RecordRoundAsync("r-2", TestSettlements.Round("r-2", 3));
        _clock.Advance(TimeSpan.FromMinutes(20));

        var backlog = await _journal.BacklogAsync();

        Assert.Equal(new OutboxBacklog(5, TimeSpan.FromHours(1), 0, 0, null, null), backlog);
        Assert.False(backlog.IsEmpty);
    }
}
