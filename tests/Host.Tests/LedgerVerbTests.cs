using System.CommandLine;
using System.Text.Json;
using Gateway.Host.Cli;
using Gateway.Host.Tests.Ledger;
using Gateway.LedgerClient;
using Gateway.LedgerClient.Embedded;
using Gateway.LedgerClient.Outbox;
using Gateway.Testing;
using Microsoft.Data.Sqlite;

namespace Gateway.Host.Tests;

public sealed class LedgerVerbTests : IDisposable
{
    private static readonly DateTimeOffset IntervalStart = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ledger-verb-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 3, 1, 12, 20, 0, TimeSpan.Zero));

    public LedgerVerbTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private string PathOf(string name) => Path.Combine(_dir, name);

    private static SettlementRecord Settlement(string round, int i)
    {
        var energy = 1.5m + i;
        var price = 0.2137m;
        return new SettlementRecord($"{round}/ev-{i}->pv-1", round, $"ev-{i}", "pv-1", energy, price,
            SettlementBalance.ExpectedAmount(energy, price), IntervalStart, IntervalStart.AddMinutes(15));
    }

    private async Task<string> LedgerAsync()
    {
        var path = PathOf("ledger.db");
        await using var ledger = await EmbeddedLedger.OpenAsync(path, _clock);
        for (var round = 1; round <= 5; round++)
            await ledger.CommitBatchAsync([Settlement($"r-{round}", 0), Settlement($"r-{round}", 1)]);
        return path;
    }

    private static async Task TamperAsync(string path, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "DROP TRIGGER settlements_append_only_update; " + sql;
        await command.ExecuteNonQueryAsync();
    }

    private static Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args) => LedgerVerbInvocation.RunAsync(args);

    [Fact]
    public async Task Verify_an_intact_ledger_exits_0_with_counts_and_head_hash()
    {
        var path = await LedgerAsync();
        var (exitCode, output, _) = await RunAsync("ledger", "verify", "--db", path);
        Assert.Equal(ExitCodes.Ok, exitCode);
        Assert.Contains($"intact {path}: 5 blocks, 10 settlements", output);
        Assert.Matches("head hash [0-9a-f]{64}", output);
    }

    [Fact]
    public async Task Verify_a_tampered_ledger_exits_1_naming_the_block_and_settlement()
    {
        var path = await LedgerAsync();
        await TamperAsync(path, "UPDATE settlements SET amount = '0.01' WHERE settlement_id = 'r-3/ev-1->pv-1';");

        var (exitCode, output, _) = await RunAsync("ledger", "verify", "--db", path);

        Assert.Equal(ExitCodes.Failed, exitCode);
        Assert.Contains("first tampered block is 3 (SettlementContent)", output);
        Assert.Contains("settlement 'r-3/ev-1->pv-1' (position 1) content altered", output);
        Assert.Contains("blocks 1–2 check out (4 settlements)", output);
    }

    [Fact]
    public async Task Verify_json_reports_the_first_tamper()
    {
        var path = await LedgerAsync();
        await TamperAsync(path, $"DROP TRIGGER blocks_append_only_update; UPDATE blocks SET previous_hash = '{new string('f', 64)}' WHERE number = 4;");

        var (exitCode, output, _) = await RunAsync("ledger", "verify", "--db", path, "--json");

        Assert.Equal(ExitCodes.Failed, exitCode);
        using var json = JsonDocument.Parse(output);
        Assert.False(json.RootElement.GetProperty("intact").GetBoolean());
        var tamper = json.RootElement.GetProperty("firstTamper");
        Assert.Equal(4, tamper.GetProperty("block").GetInt64());
        Assert.Equal("PreviousHashLink", tamper.GetProperty("kind").GetString());
    }

    [Fact]
    public async Task Verify_with_an_anchor_catches_a_wholesale_rewrite()
    {
        var path = await LedgerAsync();
        using var first = JsonDocument.Parse((await RunAsync("ledger", "verify", "--db", path, "--json")).Output);
        var anchor = first.RootElement.GetProperty("headHash").GetString()!;

        // The chain grows: the anchored block is still on it.
        await using (var ledger = await EmbeddedLedger.OpenAsync(path, _clock))
            await ledger.CommitAsync(Settlement("r-6", 0));
        Assert.Equal(ExitCodes.Ok, (await RunAsync("ledger", "verify", "--db", path, "--anchor", anchor)).ExitCode);

        // Someone rebuilds the file from scratch with one amount changed and every hash recomputed.
        File.Delete(path);
        SqliteConnection.ClearAllPools();
        await using (var forged = await EmbeddedLedger.OpenAsync(path, _clock))
        {
            for (var round = 1; round <= 5; round++)
            {
                var second = Settlement($"r-{round}", 1);
                if (round == 2) second = second with { PricePerKwh = 0.1m, Amount = SettlementBalance.ExpectedAmount(second.EnergyKwh, 0.1m) };
                await forged.CommitBatchAsync([Settlement($"r-{round}", 0), second]);
            }
        }
        Assert.Equal(ExitCodes.Ok, (await RunAsync("ledger", "verify", "--db", path)).ExitCode);

        var (exitCode, output, _) = await RunAsync("ledger", "verify", "--db", path, "--anchor", anchor);
        Assert.Equal(ExitCodes.Failed, exitCode);
        Assert.Contains("(AnchorMissing)", output);
        Assert.Contains("the ledger was rewritten", output);

        var bad = await RunAsync("ledger", "verify", "--db", path, "--anchor", "xyz");
        Assert.Equal(ExitCodes.BadInput, bad.ExitCode);
        Assert.Contains("64 hex digits", bad.Error);
    }

    [Fact]
    public async Task Verify_without_a_ledger_is_bad_input()
    {
        var missing = await RunAsync("ledger", "verify", "--db", PathOf("nope.db"));
        Assert.Equal(ExitCodes.BadInput, missing.ExitCode);
        Assert.Contains($"no ledger file at {PathOf("nope.db")}", missing.Error);

        var byDefault = await RunAsync("ledger", "verify");
        Assert.Equal(ExitCodes.BadInput, byDefault.ExitCode);
        Assert.Contains("no ledger file at .gateway/ledger.db", byDefault.Error);

        await File.WriteAllTextAsync(PathOf("notes.db"), "a shopping list, not a ledger; long enough to be looked at by sqlite.");
        var garbage = await RunAsync("ledger", "verify", "--db", PathOf("notes.db"));
        Assert.Equal(ExitCodes.BadInput, garbage.ExitCode);
        Assert.Contains("is not an embedded ledger", garbage.Error);
    }

    [Fact]
    public async Task Show_prints_the_rounds_settlements_as_a_table()
    {
        var path = await LedgerAsync();
        var (exitCode, output, _) = await RunAsync("ledger", "show", "--round", "r-2", "--db", path);

        Assert.Equal(ExitCodes.Ok, exitCode);
        Assert.Contains("Round r-2: 2 settlements", output);
        Assert.Contains("r-2/ev-0->pv-1", output);
        Assert.Contains("ev-1 → pv-1", output);
        Assert.Contains("0.5343", output); // 2.5 kWh × 0.2137
        Assert.Contains("2026-03-01 12:20:00", output);
        Assert.Contains("total energy 4 kWh, total amount 0.8549", output);
        Assert.DoesNotContain("\u001b[", output);
    }

    [Fact]
    public async Task Show_json_and_unknown_round()
    {
        var path = await LedgerAsync();
        var (exitCode, output, _) = await RunAsync("ledger", "show", "--round", "r-5", "--db", path, "--json");
        Assert.Equal(ExitCodes.Ok, exitCode);
        using var json = JsonDocument.Parse(output);
        var settlements = json.RootElement.GetProperty("settlements");
        Assert.Equal(2, settlements.GetArrayLength());
        Assert.Equal(5, settlements[1].GetProperty("block").GetInt64());
        Assert.Equal(0.5343m, settlements[1].GetProperty("amount").GetDecimal());

        var unknown = await RunAsync("ledger", "show", "--round", "r-99", "--db", path);
        Assert.Equal(ExitCodes.Failed, unknown.ExitCode);
        Assert.Contains("no settlements for round 'r-99'", unknown.Output);
    }

    [Fact]
    public async Task Backlog_lists_pending_settlements_and_dead_letters()
    {
        var journal = PathOf("journal.db");
        await using (var connection = new SqliteConnection($"Data Source={journal};Pooling=False"))
        {
            await connection.OpenAsync();
            await SettlementOutbox.EnsureSchemaAsync(connection);
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
            await new SettlementOutbox(_clock).EnqueueAsync(transaction, [Settlement("r-1", 0), Settlement("r-1", 1)]);
            await transaction.CommitAsync();
        }

        var (exitCode, output, _) = await RunAsync("ledger", "backlog", "--journal", journal);

        Assert.Equal(ExitCodes.Ok, exitCode);
        Assert.Contains($"outbox {journal}: 2 pending, 0 dead-lettered, 0 committed", output);
        Assert.Contains("r-1/ev-1->pv-1", output);

        var json = await RunAsync("ledger", "backlog", "--journal", journal, "--json");
        using var document = JsonDocument.Parse(json.Output);
        Assert.Equal(2, document.RootElement.GetProperty("pending").GetInt64());

        var missing = await RunAsync("ledger", "backlog", "--journal", PathOf("none.db"));
        Assert.Equal(ExitCodes.BadInput, missing.ExitCode);
    }
}
