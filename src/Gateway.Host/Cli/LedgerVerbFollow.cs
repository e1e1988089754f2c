using System.CommandLine;
using Gateway.LedgerClient;
using Gateway.LedgerClient.Embedded;
using Gateway.LedgerClient.Fabric;

namespace Gateway.Host.Cli;

/// <summary>
/// <c>gateway ledger follow --rig FILE [--from-block N] [--count N] [--json]</c>: prints settlements as the ledger commits
/// them — on Fabric from the Gateway's ChaincodeEvents stream (reconnecting after the last block seen when the peer goes
/// away), on the embedded ledger from its new blocks. Runs until interrupted, or until <c>--count</c> settlements were printed.
/// </summary>
internal static class LedgerVerbFollow
{
    public static Command Create()
    {
        var rig = LedgerVerb.RigOption();
        rig.Required = true;
        var from = new Option<long?>("--from-block") { Description = "Start at this block (default: the next block committed)." };
        var count = new Option<int?>("--count") { Description = "Stop after this many settlements." };
        var json = LedgerVerb.JsonOption();
        var command = new Command("follow", "Print settlements as the ledger commits them (Fabric: ChaincodeEvents; embedded: new blocks). JSON lines with --json.");
        foreach (var o in new Option[] { rig, from, count, json }) command.Options.Add(o);
        command.SetAction(async (ParseResult result, CancellationToken cancellationToken) =>
            await RunAsync(result.GetValue(rig)!, result.GetValue(from), result.GetValue(count), result.GetValue(json), result.InvocationConfiguration.Output,
                result.InvocationConfiguration.Error, cancellationToken));
        return command;
    }

    public static async Task<int> RunAsync(string rigPath, long? fromBlock, int? count, bool json, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var report = new LedgerVerbFailure("ledger follow", json, output, error);
        if (fromBlock is < 0 || count is <= 0) return report.Fail(ExitCodes.BadInput, "--from-block must be 0 or more and --count at least 1");
        var (context, failure) = await LedgerRigContext.OpenAsync(rigPath, report, cancellationToken);
        if (context is null) return failure;
        await using (context)
        {
            // A peer that is not there at the start is a wrong rig or a network that is down: say so and exit, rather than
            // wait silently; once following, a peer that goes away is waited for (below).
            if (context.Ledgers.Connection is { } fabric && !await ConnectsAsync(fabric, cancellationToken))
            {
                if (cancellationToken.IsCancellationRequested) return ExitCodes.Ok;
                return report.Fail(ExitCodes.Unreachable, $"the Fabric peer could not answer: no connection to {context.Rig.Ledger.Fabric?.PeerUrl} within {ConnectTimeout.TotalSeconds:0} s");
            }
            // Status on stderr, so stdout carries only settlements (text or JSON lines) for a pipe.
            if (!json) error.WriteLine($"following {context.Ledgers.Description} (Ctrl-C to stop)");
            var printed = 0;
            long? resumeBlock = fromBlock;
            var seenInBlock = new HashSet<string>(StringComparer.Ordinal);
            var failures = 0;
            while (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    await foreach (var committed in context.Ledgers.Feed.FollowAsync(resumeBlock, cancellationToken))
                    {
                        // After a reconnect the stream starts again at the last block seen: skip what was printed.
                        if (committed.BlockNumber == resumeBlock && !seenInBlock.Add(committed.Settlement.SettlementId)) continue;
                        if (committed.BlockNumber != resumeBlock)
                        {
                            resumeBlock = committed.BlockNumber;
                            seenInBlock.Clear();
                            seenInBlock.Add(committed.Settlement.SettlementId);
                        }
                        failures = 0;
                        Print(output, committed, json);
                        if (++printed == count) return ExitCodes.Ok;
                    }
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    break;
                }
                catch (FabricLedgerException e) when (e.IsRetryable)
                {
                    // The peer went away: say so once, wait, and pick up after the last block printed.
                    if (failures++ == 0) error.WriteLine($"{report.Verb}: {CliFailure.OneLine(e.Message)}; reconnecting");
                    try
                    {
                        await Task.Delay(TimeSpan.FromSeconds(Math.Min(30, failures)), cancellationToken);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }
                }
                catch (FabricLedgerException e)
                {
                    return report.Unreachable(e);
                }
            }
            return ExitCodes.Ok;
        }
    }

    /// <summary>How long follow waits for the first connection to the peer.</summary>
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    private static async Task<bool> ConnectsAsync(FabricConnection fabric, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ConnectTimeout);
        try
        {
            return await fabric.ConnectsOnceAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static void Print(TextWriter output, CommittedSettlement committed, bool json)
    {
        var s = committed.Settlement;
        if (json)
        {
            output.WriteLine(System.Text.Json.JsonSerializer.Serialize(new
            {
                block = committed.BlockNumber,
                transactionId = committed.TransactionId,
                settlementId = s.SettlementId,
                roundId = s.RoundId,
                payerId = s.PayerId,
                payeeId = s.PayeeId,
                energyKwh = s.EnergyKwh,
                pricePerKwh = s.PricePerKwh,
                amount = s.Amount,
            }));
        }
        else
        {
            output.WriteLine($"block {committed.BlockNumber,6}  {s.SettlementId}  {s.PayerId} → {s.PayeeId}  {SettlementCanonicalForm.FormatDecimal(s.EnergyKwh)} kWh × {SettlementCanonicalForm.FormatDecimal(s.PricePerKwh)} = {SettlementCanonicalForm.FormatDecimal(s.Amount)}  tx {committed.TransactionId[..Math.Min(12, committed.TransactionId.Length)]}");
        }
        output.Flush();
    }
}
