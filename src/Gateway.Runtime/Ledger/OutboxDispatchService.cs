using Gateway.Rigs;
using Gateway.Runtime.Status;
using Gateway.Runtime.Worker;
using Gateway.LedgerClient.Outbox;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting;

namespace Gateway.Runtime.Ledger;

/// <summary>
/// Drains the journal's outbox tables to the ledgers for as long as the gateway runs, and puts the settlements' backlog
/// on the board every 2 s of wall time.
/// </summary>
internal sealed class OutboxDispatchService(OutboxDispatcher dispatcher, RigDefinition rig, GatewayStatusBoard board, GatewayClocks clocks) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var run = dispatcher.RunAsync(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // Read from the outbox with the committed count: the dispatcher's own snapshot does not count history.
                var b = await ReadBacklogAsync(rig.JournalPath, clocks.Wall, stoppingToken).ConfigureAwait(false);
                board.Report(new LedgerBacklog((int)b.PendingCount, b.OldestPendingAge, (int)b.DeadLetterCount, b.CommittedCount ?? 0, b.LastError ?? dispatcher.LastBacklog?.LastError));
                await Task.Delay(TimeSpan.FromSeconds(2), clocks.Wall, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
        }
        try { await run.ConfigureAwait(false); } catch (OperationCanceledException) { }
    }

    /// <summary>The settlements' backlog with the committed count, read from the journal's outbox table.</summary>
    public static async Task<OutboxBacklog> ReadBacklogAsync(string journalPath, TimeProvider wallClock, CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection(JournalConnectionString(journalPath));
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await new SettlementOutbox(wallClock).ReadBacklogAsync(connection, countCommitted: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The journal file as the outbox opens it: no pooling, so nothing holds the file after a run.</summary>
    public static string JournalConnectionString(string journalPath) =>
        new SqliteConnectionStringBuilder { DataSource = journalPath, Pooling = false }.ToString();
}
