using Gateway.LedgerClient.Crasher;
using Gateway.LedgerClient.Embedded;
using Gateway.LedgerClient.Outbox;
using Gateway.LedgerClient.Tests.Embedded;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace Gateway.LedgerClient.Tests.Outbox;

/// <summary>
/// Exactly once under real crashes: the helper process records, enqueues and dispatches
/// settlements and is SIGKILLed at named steps or at random moments; a restart finishes
/// the job; then every settlement is on the ledger exactly once and nothing is pending.
/// </summary>
public sealed class CrashRecoveryTests(ITestOutputHelper output) : IDisposable
{
    private const int PerRound = 6;
    private int _rounds = 8;
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string[] DispatchArguments(params string[] extra) =>
        ["dispatch", "--journal", _dir.File("journal.db"), "--ledger", _dir.File("ledger.db"),
         "--rounds", $"{_rounds}", "--per-round", $"{PerRound}", .. extra];

    private async Task<(int ExitCode, string Output)> RunAsync(params string[] extra)
    {
        using var process = CrasherProcess.Start(_dir.Path, DispatchArguments(extra));
        var result = await process.WaitAsync();
        output.WriteLine($"{string.Join(' ', extra)} → exit {result.ExitCode} {result.Output.Trim()}");
        return result;
    }

    private async Task AssertExactlyOnceAsync()
    {
        var verification = await EmbeddedLedgerVerifier.VerifyAsync(_dir.File("ledger.db"));
        Assert.True(verification.IsIntact, verification.FirstTamper?.Description);

        await using var ledger = new SqliteConnection($"Data Source={_dir.File("ledger.db")};Mode=ReadOnly;Pooling=False");
        await ledger.OpenAsync();
        await using var ids = ledger.CreateCommand();
        ids.CommandText = "SELECT settlement_id FROM settlements";
        var onLedger = new List<string>();
        await using (var reader = await ids.ExecuteReaderAsync())
            while (await reader.ReadAsync()) onLedger.Add(reader.GetString(0));
        Assert.Equal(Workload.AllIds(_rounds, PerRound).Order(), onLedger.Order());

        await using var journal = new SqliteConnection($"Data Source={_dir.File("journal.db")};Pooling=False");
        await journal.OpenAsync();
        var entries = await SettlementOutbox.ReadEntriesAsync(journal);
        Assert.Equal(_rounds * PerRound, entries.Count);
        Assert.All(entries, e => Assert.Equal(OutboxEntryState.Committed, e.State));
        var blocks = await LedgerBlocksByIdAsync(ledger);
        Assert.All(entries, e => Assert.Equal(blocks[e.Settlement.SettlementId], e.BlockNumber));
        Assert.True((await new SettlementOutbox(TimeProvider.System).ReadBacklogAsync(journal)).IsEmpty);
    }

    private static async Task<Dictionary<string, long>> LedgerBlocksByIdAsync(SqliteConnection ledger)
    {
        await using var command = ledger.CreateCommand();
        command.CommandText = "SELECT settlement_id, block_number FROM settlements";
        var blocks = new Dictionary<string, long>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) blocks[reader.GetString(0)] = reader.GetInt64(1);
        return blocks;
    }

    private async Task<IReadOnlyList<OutboxEntry>> EntriesAsync()
    {
        await using var journal = new SqliteConnection($"Data Source={_dir.File("journal.db")};Pooling=False");
        await journal.OpenAsync();
        return await SettlementOutbox.ReadEntriesAsync(journal);
    }

    [Theory]
    [InlineData("mid-enqueue", 3, "true")]
    [InlineData("after-enqueue", 1, "true")]
    [InlineData("after-ledger-commit", 2, "true")]
    [InlineData("after-ledger-commit", 5, "false")]
    [InlineData("after-mark", 4, "true")]
    public async Task Killed_at_a_named_step_and_restarted_commits_every_settlement_exactly_once(string step, int after, string batch)
    {
        var crashed = await RunAsync("--crash", step, "--crash-after", $"{after}", "--batch", batch);
        Assert.Equal(CrasherProcess.KilledExitCode, crashed.ExitCode);

        var finished = await RunAsync("--batch", batch);
        Assert.Equal(0, finished.ExitCode);
        await AssertExactlyOnceAsync();

        if (step == "after-ledger-commit")
        {
            // The settlements whose answer died with the process were sent again and recognised.
            Assert.Contains(await EntriesAsync(), e => e.Outcome == LedgerCommitOutcome.AlreadyCommitted);
        }
    }

    [Fact]
    public async Task Killed_at_random_moments_again_and_again_still_commits_exactly_once()
    {
        _rounds = 200; // about 1–2 s of work per full run, so kills land inside it
        var seed = TestSeeds.Fresh();
        output.WriteLine($"seed {seed}");
        var random = new Random(seed);
        var kills = 0;
        for (var run = 0; run < 6; run++)
        {
            using var process = CrasherProcess.Start(_dir.Path, DispatchArguments("--batch", run % 2 == 0 ? "true" : "false"));
            await process.WaitUntilReadyAsync();
            // After a random amount of finished work (counted, not timed, so a loaded machine changes nothing), then
            // a random moment inside the next tick.
            await process.WaitForTicksAsync(random.Next(1, 12));
            await Task.Delay(random.Next(0, 20));
            process.Kill();
            var (exitCode, text) = await process.WaitAsync();
            output.WriteLine($"run {run}: exit {exitCode} {text.Trim()}");
            if (exitCode == CrasherProcess.KilledExitCode) kills++;
            else Assert.Equal(0, exitCode);
        }
        Assert.True(kills > 0, "no run was killed; the helper finished before every kill");
        var beforeLastRun = (await EntriesAsync()).Count(e => e.State == OutboxEntryState.Committed);
        output.WriteLine($"{beforeLastRun} settlements committed by the killed runs");
        Assert.True(beforeLastRun > 0, "every kill landed before any work was done");

        Assert.Equal(0, (await RunAsync()).ExitCode);
        await AssertExactlyOnceAsync();
    }

    [Fact]
    public async Task Two_processes_writing_the_same_ledger_commit_each_settlement_once()
    {
        using var first = CrasherProcess.Start(_dir.Path, "write-ledger", "--ledger", _dir.File("ledger.db"), "--writer", "0", "--count", "60");
        using var second = CrasherProcess.Start(_dir.Path, "write-ledger", "--ledger", _dir.File("ledger.db"), "--writer", "1", "--count", "60");
        var results = await Task.WhenAll(first.WaitAsync(), second.WaitAsync());

        foreach (var r in results) output.WriteLine(r.Output.Trim());
        Assert.All(results, r => Assert.Equal(0, r.ExitCode));
        var committed = results.Sum(r => int.Parse(r.Output.Split(' ', '=')[1]));
        Assert.Equal(60, committed);
        var verification = await EmbeddedLedgerVerifier.VerifyAsync(_dir.File("ledger.db"));
        Assert.True(verification.IsIntact, verification.FirstTamper?.Description);
        Assert.Equal(60, verification.SettlementCount);
        Assert.Equal(60, verification.BlockCount);
    }
}
