using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gateway.Runtime.Worker;

/// <summary>
/// The round loop of <c>gateway run</c>: wait for the first poll, finish the rounds a previous run left open, then trade
/// every interval until the rig's round count is reached or a stop is asked for. One round's failure does not end it.
/// The verb awaits <see cref="Completion"/>, then flushes the outbox and prints the summary.
/// </summary>
internal sealed class RoundLoopService(GatewayRuntime runtime, RoundLoopOptions options, ILoggerFactory loggers) : BackgroundService
{
    private readonly ILogger _logger = loggers.CreateLogger("gateway.run");

    /// <summary>Ends when the loop does: the round count reached, a stop asked for, or a failure that is not a round's.</summary>
    public Task Completion => ExecuteTask ?? Task.CompletedTask;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var signals = options.Signals;
        var observer = options.Observer;
        // The host stopping (the runtime disposed early) abandons the loop like a second signal.
        using var abortSource = CancellationTokenSource.CreateLinkedTokenSource(signals.Abort, stoppingToken);
        var abort = abortSource.Token;
        observer.Starting(runtime);
        try
        {
            await runtime.WaitForFirstPollAsync(options.FirstPollTimeout, signals.Stopping).ConfigureAwait(false);
        }
        catch (OperationCanceledException) { }
        observer.Ready();

        var attempted = 0;
        try
        {
            foreach (var resumed in await runtime.ResumeOpenRoundsAsync(abort, signals.Stopping).ConfigureAwait(false))
            {
                attempted++;
                observer.Resumed(resumed);
            }
            while (!signals.Stopping.IsCancellationRequested && (options.Rounds is not { } count || attempted < count))
            {
                var start = runtime.NextIntervalStart();
                RoundOutcome outcome;
                try
                {
                    outcome = await runtime.TickAsync(abort, signals.Stopping).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (signals.Stopping.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // One round's failure must not end the service: log it, count it, and wait for the next interval.
                    var id = runtime.Runner.Planner.RoundId(start);
                    _logger.LogError(e, "round {Round} failed: {Error}; the next interval is traded as usual, the journal keeps this round for the next run", id, e.Message);
                    attempted++;
                    observer.Failed(id, start, e.Message);
                    runtime.RecordFailedInterval(start);
                    try { await runtime.WaitUntilAsync(start + runtime.Rig.Market.Interval, signals.Stopping).ConfigureAwait(false); }
                    catch (OperationCanceledException) { break; }
                    continue;
                }
                foreach (var skipped in outcome.SkippedBefore) observer.Skipped(skipped);
                attempted++;
                observer.Traded(outcome);
            }
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested)
        {
            // Second signal: the step that ran is abandoned; the journal wrote ahead of it.
        }
    }
}
