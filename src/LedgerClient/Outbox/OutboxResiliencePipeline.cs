using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace Gateway.LedgerClient.Outbox;

/// <summary>
/// The pipeline every ledger call of the dispatcher goes through, outermost first:
/// retry (exponential backoff with jitter) → circuit breaker → timeout per attempt.
/// Permanent rejections and an open circuit are not retried: the first goes to the
/// dead-letter state, the second ends the tick until the break is over.
/// </summary>
internal static class OutboxResiliencePipeline
{
    /// <summary>Builds the pipeline from validated options over the given clock.</summary>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public static ResiliencePipeline Build(OutboxDispatcherOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        options.Validate();
        var isPermanent = options.IsPermanentFailure;
        // A cancellation the caller asked for ends the call; one the backend raised on its own
        // (an HTTP client's timeout) is an unknown outcome like any other and is retried.
        bool Transient(Exception? e, ResilienceContext context) => e is not null
            && e is not BrokenCircuitException
            && !(e is OperationCanceledException && context.CancellationToken.IsCancellationRequested)
            && !isPermanent(e);

        var builder = new ResiliencePipelineBuilder { TimeProvider = timeProvider };
        builder.AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = args => ValueTask.FromResult(Transient(args.Outcome.Exception, args.Context)),
            MaxRetryAttempts = options.MaxRetryAttempts,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = options.RetryBaseDelay,
            MaxDelay = options.RetryMaxDelay,
        });
        builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions
        {
            ShouldHandle = args => ValueTask.FromResult(Transient(args.Outcome.Exception, args.Context)),
            FailureRatio = options.BreakerFailureRatio,
            MinimumThroughput = options.BreakerMinimumThroughput,
            SamplingDuration = options.BreakerSamplingDuration,
            BreakDuration = options.BreakerBreakDuration,
        });
        builder.AddTimeout(new TimeoutStrategyOptions { Timeout = options.AttemptTimeout });
        return builder.Build();
    }
}
