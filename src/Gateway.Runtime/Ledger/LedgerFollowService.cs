using Gateway.Runtime.Status;
using Gateway.Runtime.Worker;
using Gateway.LedgerClient.Fabric;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gateway.Runtime.Ledger;

/// <summary>
/// Puts on the board what the main chain says it committed (Fabric: the peer's ChaincodeEvents; embedded: new blocks),
/// so the dashboard's ledger card shows commits as the ledger reports them, not only what the outbox believes. A peer
/// that goes away is followed again from the last block seen, on wall time, with backoff.
/// </summary>
internal sealed class LedgerFollowService(LedgerSet ledgers, GatewayStatusBoard board, GatewayClocks clocks, ILoggerFactory loggers) : BackgroundService
{
    private readonly ILogger _logger = loggers.CreateLogger("gateway");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        long? resumeBlock = null;
        var seenInBlock = new HashSet<string>(StringComparer.Ordinal);
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await foreach (var committed in ledgers.Feed.FollowAsync(resumeBlock, stoppingToken).ConfigureAwait(false))
                {
                    // After a reconnect the feed starts again at the last block seen: skip what the board already has.
                    if (committed.BlockNumber != resumeBlock)
                    {
                        resumeBlock = committed.BlockNumber;
                        seenInBlock.Clear();
                    }
                    if (!seenInBlock.Add(committed.Settlement.SettlementId)) continue;
                    failures = 0;
                    var s = committed.Settlement;
                    board.Report(new LedgerCommit(s.SettlementId, s.RoundId, s.PayerId, s.PayeeId, s.EnergyKwh, s.Amount, committed.BlockNumber, committed.TransactionId,
                        clocks.Wall.GetUtcNow()));
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is FabricLedgerException or IOException or SqliteException or InvalidDataException or OperationCanceledException)
            {
                // Settling does not depend on this view; the outbox has the authoritative counts.
                if (failures++ % 10 == 0) _logger.LogWarning("following the ledger's commits: {Error}; trying again", e.Message);
            }
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(30, 1 << Math.Min(failures, 5))), clocks.Wall, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
