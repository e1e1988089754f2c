using System.CommandLine;
using System.Text.Json;
using Gateway.Host.Cli;
using Gateway.Runtime.Devices;
using Gateway.Runtime.Ledger;
using Gateway.Rigs;
using Gateway.Runtime.Scheduling;
using Gateway.Host.Tests.Worker;
using Gateway.Runtime.Worker;
using Gateway.LedgerClient.Outbox;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Host.Tests.Ledger;

/// <summary>Two rounds of the whole gateway on the simulators with the embedded ledger (all three streams in one file), run once for the class.</summary>
public sealed class EmbeddedRigFixture : IAsyncLifetime
{
    internal EndToEndRig Rig { get; private set; } = null!;

    internal RigDefinition Definition { get; private set; } = null!;

    internal IReadOnlyList<RoundOutcome> Outcomes { get; private set; } = [];

    public async Task InitializeAsync()
    {
        Rig = await EndToEndRig.StartAsync();
        Definition = Rig.Load();
        var clock = new AcceleratedTimeProvider(Rig.Sims.Rig.Clock.Now, Definition.TimeScale);
        var outcomes = new List<RoundOutcome>();
        await using var runtime = await GatewayRuntime.StartAsync(Definition, NullLoggerFactory.Instance, Rig.Endpoints, clock,
            new DevicePollerOptions { AttemptTimeout = TimeSpan.FromSeconds(2), IsolateAfterFailures = 2 });
        await runtime.WaitForFirstPollAsync(TimeSpan.FromSeconds(10));
        for (var i = 0; i < 2; i++) outcomes.Add(await runtime.TickAsync());
        await runtime.DrainLedgerAsync(TimeSpan.FromSeconds(30));
        Outcomes = outcomes;
    }

    public async Task DisposeAsync() => await Rig.DisposeAsync();
}

/// <summary>The ledger verbs on a rig with the embedded ledger: verify against the journal, trace, follow, backlog with dead letters, retry.</summary>
public sealed class EmbeddedRigVerbTests(EmbeddedRigFixture fixture) : IClassFixture<EmbeddedRigFixture>
{
    private static Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args) => LedgerVerbInvocation.RunAsync(args);

    [Fact]
    public async Task Verify_checks_the_journal_against_the_embedded_streams_and_the_chain()
    {
        var result = await RunAsync("ledger", "verify", "--rig", fixture.Rig.RigPath);

        Assert.True(result.ExitCode == 0, result.Output + result.Error);
        Assert.Contains($"{fixture.Outcomes.Sum(o => o.Settlements.Count)} settlements on the main chain, 2 decisions, 2 deliveries checked; 0 pending, 0 dead-lettered", result.Output);
        Assert.Contains("2 matching entries, 2 electricity entries", result.Output);
    }

    [Fact]
    public async Task Trace_on_the_embedded_ledger_names_blocks_and_entries()
    {
        var settlement = fixture.Outcomes.SelectMany(o => o.Settlements).First();

        var result = await RunAsync("trace", settlement.SettlementId, "--rig", fixture.Rig.RigPath, "--json");

        Assert.True(result.ExitCode == 0, result.Output + result.Error);
        var trace = JsonSerializer.Deserialize<JsonElement>(result.Output);
        Assert.StartsWith("embedded ", trace.GetProperty("settlement").GetProperty("source").GetProperty("where").GetString());
        Assert.True(trace.GetProperty("settlement").GetProperty("source").GetProperty("block").GetInt64() >= 1);
        Assert.Contains("(matching chain)", trace.GetProperty("decision").GetProperty("source").GetProperty("where").GetString());
        Assert.Contains("(electricity chain)", trace.GetProperty("delivery").GetProperty("source").GetProperty("where").GetString());
        Assert.NotEqual(0, trace.GetProperty("delivery").GetProperty("devices").GetArrayLength());
    }

    [Fact]
    public async Task Follow_reads_the_embedded_blocks()
    {
        var expected = fixture.Outcomes.SelectMany(o => o.Settlements).Select(s => s.SettlementId).ToList();
        var result = await RunAsync("ledger", "follow", "--rig", fixture.Rig.RigPath, "--from-block", "1", "--count", $"{expected.Count}", "--json");
        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Equal(expected, result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonSerializer.Deserialize<JsonElement>(l).GetProperty("settlementId").GetString()));
    }

    [Fact]
    public async Task A_dead_letter_is_listed_with_its_reason_fails_verify_and_is_delivered_after_retry()
    {
        var victim = fixture.Outcomes.SelectMany(o => o.Settlements).Last();
        await using (var journal = new SqliteConnection($"Data Source={fixture.Definition.JournalPath};Pooling=False"))
        {
            await journal.OpenAsync();
            await using var kill = journal.CreateCommand();
            // What the dispatcher writes when the ledger refuses a settlement for good.
            kill.CommandText = "UPDATE settlement_outbox SET state = 'dead', last_error = 'SETTLEMENT_CONFLICT: settlement \"x\": already committed with different content' WHERE settlement_id = $id";
            kill.Parameters.AddWithValue("$id", victim.SettlementId);
            Assert.Equal(1, await kill.ExecuteNonQueryAsync());
        }

        var backlog = await RunAsync("ledger", "backlog", "--rig", fixture.Rig.RigPath, "--json");
        Assert.Equal(0, backlog.ExitCode);
        var dead = Assert.Single(JsonSerializer.Deserialize<JsonElement>(backlog.Output).GetProperty("deadLetterSettlements").EnumerateArray());
        Assert.Equal(victim.SettlementId, dead.GetProperty("settlementId").GetString());
        Assert.Contains("SETTLEMENT_CONFLICT", dead.GetProperty("lastError").GetString());
        var verify = await RunAsync("ledger", "verify", "--rig", fixture.Rig.RigPath);
        Assert.Equal(1, verify.ExitCode);
        Assert.Contains("1 dead-lettered", verify.Output);

        var retry = await RunAsync("ledger", "retry", victim.SettlementId, "--rig", fixture.Rig.RigPath);
        Assert.Equal(0, retry.ExitCode);
        Assert.Contains("re-queued 1 settlements", retry.Output);
        Assert.Equal(1, (await RunAsync("ledger", "retry", "--all", "--rig", fixture.Rig.RigPath)).ExitCode);

        // The gateway's next tick sends it again; the ledger already has it.
        await using (var ledgers = await LedgerSet.OpenAsync(fixture.Definition.Ledger, TimeProvider.System, NullLoggerFactory.Instance))
        {
            var journal = new SqliteConnectionStringBuilder { DataSource = fixture.Definition.JournalPath, Pooling = false }.ToString();
            var tick = await ledgers.CreateDispatcher(journal, new OutboxDispatcherOptions(), TimeProvider.System, NullLogger<OutboxDispatcher>.Instance).TickAsync();
            Assert.Equal(new OutboxTickResult(0, 1, 0, null), tick);
        }
        Assert.Equal(0, (await RunAsync("ledger", "verify", "--rig", fixture.Rig.RigPath)).ExitCode);
    }

    [Fact]
    public async Task Wrong_arguments_have_exit_codes_and_a_line_naming_the_problem()
    {
        var neither = await RunAsync("ledger", "backlog");
        Assert.Equal(2, neither.ExitCode);
        Assert.Contains("give either --journal FILE or --rig FILE", neither.Error);
        var both = await RunAsync("ledger", "retry", "some-id", "--all", "--rig", fixture.Rig.RigPath);
        Assert.Equal(2, both.ExitCode);
        Assert.Contains("not both", both.Error);
        var nothing = await RunAsync("ledger", "retry", "not-a-dead-letter", "--rig", fixture.Rig.RigPath);
        Assert.Equal(1, nothing.ExitCode);
        Assert.Contains("no dead letter with id 'not-a-dead-letter'", nothing.Output);
        var count = await RunAsync("ledger", "follow", "--rig", fixture.Rig.RigPath, "--count", "0");
        Assert.Equal(2, count.ExitCode);
    }
}
