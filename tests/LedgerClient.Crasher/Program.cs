// Crash-test helper for the settlement outbox. It records rounds of settlements in a journal
// (record + enqueue in one transaction), dispatches them to an embedded ledger, and kills
// itself with SIGKILL at a named step, or is killed from outside at a random moment.
// Restarted with the same arguments it must finish the job with every settlement on the
// ledger exactly once.
//
//   dispatch     --journal J --ledger L --rounds R --per-round N [--batch true|false]
//                [--crash none|mid-enqueue|after-enqueue|after-ledger-commit|after-mark] [--crash-after K]
//   dispatch     --journal J --fabric URL --msp M --cert C --key K --channel CH --chaincode CC --epoch E --rounds R --per-round N
//                [--crash none|after-submit|after-ledger-commit|after-mark] [--crash-after K]   (each round one batch, a window of 4)
//   write-ledger --ledger L --writer W --count N    (a second process committing to the same ledger file)
using System.Diagnostics;
using Gateway.LedgerClient;
using Gateway.LedgerClient.Crasher;
using Gateway.LedgerClient.Embedded;
using Gateway.LedgerClient.Fabric;
using Gateway.LedgerClient.Outbox;
using Microsoft.Data.Sqlite;

var options = ParseArguments(args);
string Get(string name) => options.TryGetValue(name, out var value) ? value : throw new ArgumentException($"missing --{name}");
int GetInt(string name, int fallback) => options.TryGetValue(name, out var value) ? int.Parse(value, System.Globalization.CultureInfo.InvariantCulture) : fallback;

var mode = args.Length > 0 ? args[0] : "";
var fabric = options.ContainsKey("fabric");
await using var embedded = fabric ? null : await EmbeddedLedger.OpenAsync(Get("ledger"), TimeProvider.System);

if (mode == "write-ledger")
{
    var writer = GetInt("writer", 0);
    var count = GetInt("count", 100);
    var settlements = Workload.Round(0, count);
    int committed = 0, already = 0;
    // Writers walk the same ids in opposite directions so they collide in the middle.
    foreach (var settlement in writer % 2 == 0 ? settlements : settlements.Reverse())
    {
        var result = await embedded!.CommitAsync(settlement);
        if (result.Outcome == LedgerCommitOutcome.Committed) committed++; else already++;
    }
    Console.WriteLine($"committed={committed} already={already}");
    return 0;
}
if (mode != "dispatch") throw new ArgumentException($"unknown mode '{mode}'");

var rounds = GetInt("rounds", 10);
var perRound = GetInt("per-round", 5);
var crashAfter = GetInt("crash-after", 1);
var step = options.TryGetValue("crash", out var stepText) ? Enum.Parse<CrashStep>(stepText.Replace("-", ""), ignoreCase: true) : CrashStep.None;
var useBatches = !options.TryGetValue("batch", out var batchText) || bool.Parse(batchText);

ISettlementLedger ledger;
if (fabric)
{
    var fabricLedger = FabricLedger.Create(new FabricLedgerOptions
    {
        PeerEndpoint = Get("fabric"),
        MspId = Get("msp"),
        CertificatePath = Get("cert"),
        PrivateKeyPath = Get("key"),
        Channel = Get("channel"),
        Chaincode = Get("chaincode"),
    });
    ledger = new CrashingBatchWriter<FabricLedger>(fabricLedger, step, crashAfter);
}
else
{
    ledger = step == CrashStep.AfterLedgerCommit ? new CrashingLedger(embedded!, crashAfter) : embedded!;
}
var epoch = fabric ? Get("epoch") : null;
IReadOnlyList<SettlementRecord> RoundOf(int round) => epoch is null ? Workload.Round(round, perRound) : Workload.GatewayRound(round, perRound, epoch);
var journalConnection = new SqliteConnectionStringBuilder { DataSource = Get("journal") }.ToString();
var outbox = new SettlementOutbox(TimeProvider.System);
await using (var journal = new SqliteConnection(journalConnection))
{
    await journal.OpenAsync();
    await using var setup = journal.CreateCommand();
    setup.CommandText = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; CREATE TABLE IF NOT EXISTS rounds(round_id TEXT PRIMARY KEY, recorded INTEGER NOT NULL);";
    await setup.ExecuteNonQueryAsync();
    await SettlementOutbox.EnsureSchemaAsync(journal);
}

var dispatcher = new OutboxDispatcher(journalConnection, ledger, new OutboxDispatcherOptions
{
    // Embedded: several ticks per round, so kills land between them. Fabric: a round is one batch, four in flight.
    BatchSize = fabric ? 10_000 : Math.Max(2, perRound / 2),
    MaxBatchesInFlight = fabric ? 4 : 1,
    UseBatchCommits = useBatches,
    RetryBaseDelay = TimeSpan.FromMilliseconds(5),
    RetryMaxDelay = TimeSpan.FromMilliseconds(50),
}, TimeProvider.System);

// Tells a test harness the files are open and work starts now, so a random kill lands in the work.
Console.WriteLine("ready");
Console.Out.Flush();

int ticks = 0, committedTotal = 0, alreadyTotal = 0;
async Task TickAsync()
{
    var result = await dispatcher.TickAsync();
    if (result.LedgerError is not null) throw new InvalidOperationException(result.LedgerError);
    committedTotal += result.Committed;
    alreadyTotal += result.AlreadyCommitted;
    if (result.Processed > 0)
    {
        // Lets a harness kill at a random point after a known amount of work, whatever the machine's load.
        Console.WriteLine($"tick {ticks + 1}");
        Console.Out.Flush();
    }
    if (result.Processed > 0 && ++ticks == crashAfter && step == CrashStep.AfterMark) Process.GetCurrentProcess().Kill();
}

// The gateway's rhythm: record a round (the journal transaction also enqueues), let the
// dispatcher take a bite, next round. A restart records every round again: the round table
// is idempotent and so is the outbox.
for (var round = 0; round < rounds; round++)
{
    await using (var journal = new SqliteConnection(journalConnection))
    {
        await journal.OpenAsync();
        await using var transaction = (SqliteTransaction)await journal.BeginTransactionAsync();
        await using (var record = journal.CreateCommand())
        {
            record.Transaction = transaction;
            record.CommandText = "INSERT OR IGNORE INTO rounds(round_id, recorded) VALUES ($id, 1)";
            record.Parameters.AddWithValue("$id", $"round-{round:D4}");
            await record.ExecuteNonQueryAsync();
        }
        var settlements = RoundOf(round);
        await outbox.EnqueueAsync(transaction, settlements, epoch is null ? null : LedgerIds.BatchKey(settlements[0].RoundId, epoch));
        await transaction.CommitAsync();
    }
    if (step == CrashStep.MidEnqueue && round + 1 == crashAfter) Process.GetCurrentProcess().Kill();
    if (step != CrashStep.AfterEnqueue) await TickAsync();
}
if (step == CrashStep.AfterEnqueue) Process.GetCurrentProcess().Kill();

while (!(await dispatcher.GetBacklogAsync()).IsEmpty) await TickAsync();
Console.WriteLine($"committed={committedTotal} already={alreadyTotal}");
return 0;

static Dictionary<string, string> ParseArguments(string[] args)
{
    var options = new Dictionary<string, string>(StringComparer.Ordinal);
    for (var i = 1; i + 1 < args.Length; i += 2)
    {
        if (!args[i].StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"expected --name, got '{args[i]}'");
        options[args[i][2..]] = args[i + 1];
    }
    return options;
}
