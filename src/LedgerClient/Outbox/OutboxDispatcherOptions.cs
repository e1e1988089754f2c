namespace Gateway.LedgerClient.Outbox;

/// <summary>
/// How the dispatcher drains the outbox and how hard it tries the ledger. Validated once, when
/// the dispatcher is built (<see cref="Validate"/>), so a bad configuration fails at start, not at 3 a.m.
/// </summary>
public sealed class OutboxDispatcherOptions
{
    /// <summary>
    /// Most rows in one ledger transaction (one block of the embedded ledger, one Fabric transaction). A round's settlements
    /// form one batch unless they are more than this. 1–10,000.
    /// </summary>
    public int BatchSize { get; set; } = 500;

    /// <summary>Commit several rows in one ledger call; false sends every settlement in a transaction of its own (slow on a real orderer).</summary>
    public bool UseBatchCommits { get; set; } = true;

    /// <summary>
    /// Batches (rounds) a tick has in flight per stream on a ledger with separate phases (Fabric): endorsed together,
    /// submitted one after the other in queue order, their blocks awaited together. 1–1,000.
    /// </summary>
    public int MaxBatchesInFlight { get; set; } = 16;

    /// <summary>Wait between ticks when the outbox is empty or the ledger is failing. 10 ms – 1 h.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Limit on one ledger call; longer counts as an unknown outcome and is retried. 10 ms – 10 min.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Retries of one call within a tick, after the first attempt. 1–100.</summary>
    public int MaxRetryAttempts { get; set; } = 3;

    /// <summary>First retry delay; doubles per retry, with jitter. 0 – 1 min.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Cap on a retry delay. At least <see cref="RetryBaseDelay"/>, at most 10 min.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Share of failed calls in the sampling window that opens the circuit. (0, 1].</summary>
    public double BreakerFailureRatio { get; set; } = 0.5;

    /// <summary>Calls in the window before the breaker may open. At least 2.</summary>
    public int BreakerMinimumThroughput { get; set; } = 4;

    /// <summary>The breaker's sampling window. At least 0.5 s.</summary>
    public TimeSpan BreakerSamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an open circuit refuses calls before one trial call. At least 0.5 s.</summary>
    public TimeSpan BreakerBreakDuration { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Which errors mean "never retry, dead-letter it". Default: an <see cref="ILedgerFailure"/> that says it is
    /// permanent (a rejected or conflicting settlement, a refused identity, a transaction invalidated by policy).
    /// </summary>
    public Func<Exception, bool> IsPermanentFailure { get; set; } = static e => e is ILedgerFailure { IsPermanent: true };

    /// <summary>Throws <see cref="ArgumentException"/> naming every option that is out of range.</summary>
    public void Validate()
    {
        var problems = new List<string>();
        void Check(bool ok, string problem)
        {
            if (!ok) problems.Add(problem);
        }
        static bool Between(TimeSpan value, TimeSpan min, TimeSpan max) => value >= min && value <= max;

        Check(BatchSize is >= 1 and <= 10_000, $"{nameof(BatchSize)} must be 1–10000 (is {BatchSize})");
        Check(MaxBatchesInFlight is >= 1 and <= 1000, $"{nameof(MaxBatchesInFlight)} must be 1–1000 (is {MaxBatchesInFlight})");
        Check(Between(PollInterval, TimeSpan.FromMilliseconds(10), TimeSpan.FromHours(1)), $"{nameof(PollInterval)} must be 10 ms – 1 h (is {PollInterval})");
        Check(Between(AttemptTimeout, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(10)), $"{nameof(AttemptTimeout)} must be 10 ms – 10 min (is {AttemptTimeout})");
        Check(MaxRetryAttempts is >= 1 and <= 100, $"{nameof(MaxRetryAttempts)} must be 1–100 (is {MaxRetryAttempts})");
        Check(Between(RetryBaseDelay, TimeSpan.Zero, TimeSpan.FromMinutes(1)), $"{nameof(RetryBaseDelay)} must be 0 – 1 min (is {RetryBaseDelay})");
        Check(Between(RetryMaxDelay, RetryBaseDelay, TimeSpan.FromMinutes(10)), $"{nameof(RetryMaxDelay)} must be {nameof(RetryBaseDelay)} – 10 min (is {RetryMaxDelay})");
        Check(BreakerFailureRatio > 0 && BreakerFailureRatio <= 1, $"{nameof(BreakerFailureRatio)} must be in (0, 1] (is {BreakerFailureRatio})");
        Check(BreakerMinimumThroughput >= 2, $"{nameof(BreakerMinimumThroughput)} must be at least 2 (is {BreakerMinimumThroughput})");
        Check(BreakerSamplingDuration >= TimeSpan.FromMilliseconds(500), $"{nameof(BreakerSamplingDuration)} must be at least 0.5 s (is {BreakerSamplingDuration})");
        Check(BreakerBreakDuration >= TimeSpan.FromMilliseconds(500), $"{nameof(BreakerBreakDuration)} must be at least 0.5 s (is {BreakerBreakDuration})");
        Check(IsPermanentFailure is not null, $"{nameof(IsPermanentFailure)} must be set");
        if (problems.Count > 0) throw new ArgumentException("invalid outbox dispatcher options: " + string.Join("; ", problems));
    }
}
