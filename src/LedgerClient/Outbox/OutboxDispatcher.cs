using Gateway.LedgerClient.Embedded;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Gateway.LedgerClient.Outbox;

/// <summary>
/// Drains the outbox into the ledgers in the background: settlements to the main chain, round records to the side
/// chains, each stream in its own lane, in queue order.
/// </summary>
/// <remarks>
/// <para>Batches: the rows queued together (a round's settlements) go in one ledger transaction, all or nothing.</para>
/// <para>Window: on a ledger with separate phases (Fabric) a tick takes up to
/// <see cref="OutboxDispatcherOptions.MaxBatchesInFlight"/> batches, has them all endorsed at once, submits them one
/// after the other in queue order — so a site's batches become visible on the chain in the order they were queued —
/// and waits for their blocks together. A ledger that commits in one call (embedded) takes its batches one by one.</para>
/// <para>Exactly once: a row is marked committed only after the ledger confirmed it. A crash between the ledger's commit
/// and the mark leaves the row pending; it is sent again and the ledger recognises the deterministic id with identical
/// content (<see cref="LedgerCommitOutcome.AlreadyCommitted"/>). An unknown outcome (a timeout after submitting) is
/// handled the same way.</para>
/// <para>Failures: a permanent refusal (<see cref="ILedgerFailure.IsPermanent"/>) is dead-lettered at once with the
/// ledger's reason — only the item it names when it names one (the rest of the batch is prepared again without it and
/// goes on), the whole batch otherwise — and the lane goes on with the next batch: no head-of-line blocking. A transient
/// failure (ledger down, timeout, open circuit) stops the lane at that batch, so order is kept and the ledger is not
/// hammered; the rows stay pending and the loop waits <see cref="OutboxDispatcherOptions.PollInterval"/>.</para>
/// </remarks>
public sealed class OutboxDispatcher
{
    private static readonly TimeSpan FailureLogInterval = TimeSpan.FromMinutes(1);

    private readonly string _journalConnectionString;
    private readonly IReadOnlyList<OutboxLane> _lanes;
    private readonly OutboxDispatcherOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline _pipeline;
    private readonly SettlementOutbox _outbox;
    private readonly RoundRecordOutbox _recordOutbox;
    private readonly int _maxRows;
    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private DateTimeOffset? _failingSince;
    private DateTimeOffset _lastFailureLog;
    private volatile OutboxBacklog? _lastBacklog;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, LaneInFlight> _inFlight = new(StringComparer.Ordinal);
    private string? _backgroundError;

    /// <summary>Creates a dispatcher for settlements only; the options are validated here.</summary>
    /// <param name="journalConnectionString">Connection string of the caller's database that holds the outbox table.</param>
    /// <param name="ledger">The ledger to commit to (embedded or Fabric).</param>
    /// <param name="options">Batching, window, polling and resilience settings.</param>
    /// <param name="timeProvider">Wall time: delays, timeouts and backlog age (never the plant's accelerated clock).</param>
    /// <param name="logger">Where backlog warnings and dead letters are logged.</param>
    /// <exception cref="ArgumentException">The options are invalid (the message names each one).</exception>
    public OutboxDispatcher(string journalConnectionString, ISettlementLedger ledger, OutboxDispatcherOptions options, TimeProvider timeProvider,
        ILogger<OutboxDispatcher>? logger = null)
        : this(journalConnectionString, ledger, null, options, timeProvider, logger)
    {
    }

    /// <summary>Creates a dispatcher for settlements and the side chains' round records.</summary>
    /// <param name="journalConnectionString">Connection string of the caller's database that holds the outbox tables.</param>
    /// <param name="ledger">The settlements' ledger (the main chain).</param>
    /// <param name="recordLedgers">The ledger of each side chain (matching, electricity) whose records are queued; null or empty: none.</param>
    /// <param name="options">Batching, window, polling and resilience settings.</param>
    /// <param name="timeProvider">Wall time: delays, timeouts and backlog age (never the plant's accelerated clock).</param>
    /// <param name="logger">Where backlog warnings and dead letters are logged.</param>
    public OutboxDispatcher(string journalConnectionString, ISettlementLedger ledger, IReadOnlyDictionary<LedgerStream, IRoundRecordLedger>? recordLedgers,
        OutboxDispatcherOptions options, TimeProvider timeProvider, ILogger<OutboxDispatcher>? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(journalConnectionString);
        ArgumentNullException.ThrowIfNull(ledger);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _pipeline = OutboxResiliencePipeline.Build(options, timeProvider);
        _journalConnectionString = journalConnectionString;
        _options = options;
        _timeProvider = timeProvider;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _outbox = new SettlementOutbox(timeProvider);
        _recordOutbox = new RoundRecordOutbox(timeProvider);
        _maxRows = options.UseBatchCommits ? options.BatchSize : 1;

        var lanes = new List<OutboxLane>
        {
            ledger switch
            {
                ILedgerBatchWriter<SettlementRecord> pipelined => new SettlementLane(pipelined, pipelined: true),
                ISettlementBatchLedger batch when options.UseBatchCommits => new SettlementLane(new SequentialBatchWriter<SettlementRecord>(batch.CommitBatchAsync), pipelined: false),
                _ => new SettlementLane(SequentialBatchWriter<SettlementRecord>.OneByOne(ledger), pipelined: false),
            },
        };
        foreach (var (stream, recordLedger) in recordLedgers ?? new Dictionary<LedgerStream, IRoundRecordLedger>())
        {
            if (stream == LedgerStream.Settlements) throw new ArgumentException("settlements have their own ledger; record ledgers are for matching and electricity", nameof(recordLedgers));
            lanes.Add(recordLedger is ILedgerBatchWriter<RoundRecord> pipelined
                ? new RoundRecordLane(stream, pipelined, pipelined: true)
                : new RoundRecordLane(stream, new SequentialBatchWriter<RoundRecord>(recordLedger.CommitRecordsAsync), pipelined: false));
        }
        _lanes = lanes;
    }

    /// <summary>
    /// The settlements' backlog as of the last tick that did something or failed, or the last <see cref="GetBacklogAsync"/>
    /// (null before the first); for dashboards. Its <see cref="OutboxBacklog.CommittedCount"/> is null: ticks do not count history.
    /// </summary>
    public OutboxBacklog? LastBacklog => _lastBacklog;

    /// <summary>The streams this dispatcher drains.</summary>
    public IReadOnlyList<string> Streams => _lanes.Select(l => l.Name).ToList();

    /// <summary>Wakes the loop now (call after enqueueing) instead of at the next poll.</summary>
    public void Notify() => Volatile.Read(ref _wake).TrySetResult();

    /// <summary>Reads the settlements' current backlog from the journal.</summary>
    internal async Task<OutboxBacklog> GetBacklogAsync(CancellationToken cancellationToken = default)
    {
        await using var journal = await OpenJournalAsync(cancellationToken).ConfigureAwait(false);
        var backlog = await _outbox.ReadBacklogAsync(journal, countCommitted: false, cancellationToken).ConfigureAwait(false);
        _lastBacklog = backlog;
        return backlog;
    }

    /// <summary>Every stream's backlog (settlements counted in full), for the dashboard's ledger card and the run summary.</summary>
    public async Task<IReadOnlyDictionary<LedgerStream, OutboxBacklog>> GetStreamBacklogsAsync(CancellationToken cancellationToken = default)
    {
        await using var journal = await OpenJournalAsync(cancellationToken).ConfigureAwait(false);
        var result = new Dictionary<LedgerStream, OutboxBacklog>
        {
            [LedgerStream.Settlements] = await _outbox.ReadBacklogAsync(journal, countCommitted: true, cancellationToken).ConfigureAwait(false),
        };
        foreach (var lane in _lanes.OfType<RoundRecordLane>())
        {
            LedgerStreams.TryParse(lane.Name, out var stream);
            result[stream] = await _recordOutbox.ReadBacklogAsync(journal, stream, cancellationToken).ConfigureAwait(false);
        }
        return result;
    }

    /// <summary>
    /// Runs until cancelled. Each step fills every lane's window: pending batches are endorsed and submitted in order
    /// while earlier ones still wait for their blocks, so endorsing the next rounds overlaps the block interval of the
    /// previous ones. The loop waits <see cref="OutboxDispatcherOptions.PollInterval"/> (or until <see cref="Notify"/>, or a
    /// block arrives for a batch in flight) when nothing more can be started or a ledger is failing.
    /// An error reading or writing the journal is logged and retried; only cancellation ends the loop.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var wakeSource = Volatile.Read(ref _wake);
                if (wakeSource.Task.IsCompleted)
                {
                    Interlocked.CompareExchange(ref _wake, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), wakeSource);
                    wakeSource = Volatile.Read(ref _wake);
                }
                var moreWork = false;
                try
                {
                    var result = await StepAsync(waitForCommits: false, cancellationToken).ConfigureAwait(false);
                    moreWork = result.LedgerError is null && result.Processed + result.Submitted > 0 && _lanes.Any(HasRoom);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e)
                {
                    // The journal is busy, full or unreadable: the rows stay pending and are tried
                    // again (a row whose mark was lost comes back as AlreadyCommitted).
                    _logger.LogError(e, "Settlement outbox tick failed; retrying in {PollInterval}", _options.PollInterval);
                }
                if (moreWork) continue;

                using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var delay = Task.Delay(_options.PollInterval, _timeProvider, wait.Token);
                await Task.WhenAny(delay, wakeSource.Task).ConfigureAwait(false);
                await wait.CancelAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            // Batches still waiting for their block: their rows stay pending unless the answer arrives first.
            try
            {
                await Task.WhenAll(_inFlight.Values.SelectMany(f => f.Tasks)).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Cancelled with the loop; the rows are still pending and go again next time.
            }
        }
    }

    /// <summary>
    /// One step of every lane, complete: up to <see cref="OutboxDispatcherOptions.MaxBatchesInFlight"/> pending batches per
    /// stream are endorsed, submitted in order and waited for; a lane stops at its first transient failure.
    /// </summary>
    public async Task<OutboxTickResult> TickAsync(CancellationToken cancellationToken = default)
    {
        var result = await StepAsync(waitForCommits: true, cancellationToken).ConfigureAwait(false);
        return new OutboxTickResult(result.Committed, result.AlreadyCommitted, result.DeadLettered, result.LedgerError);
    }

    private async Task<StepResult> StepAsync(bool waitForCommits, CancellationToken cancellationToken)
    {
        var results = await Task.WhenAll(_lanes.Select(lane => TickLaneAsync(lane, waitForCommits, cancellationToken))).ConfigureAwait(false);
        var error = results.Select(r => r.LedgerError).FirstOrDefault(e => e is not null) ?? Interlocked.Exchange(ref _backgroundError, null);
        var total = new StepResult(results.Sum(r => r.Committed), results.Sum(r => r.AlreadyCommitted), results.Sum(r => r.DeadLettered), results.Sum(r => r.Submitted), error);

        await using var journal = await OpenJournalAsync(cancellationToken).ConfigureAwait(false);
        if (total.LedgerError is not null)
            await FailingAsync(journal, total.LedgerError, cancellationToken).ConfigureAwait(false);
        else if (_failingSince is not null && total.Processed + total.Submitted > 0)
            await RecoveredAsync(journal, cancellationToken).ConfigureAwait(false);
        else if (total.Processed > 0)
            _lastBacklog = await _outbox.ReadBacklogAsync(journal, countCommitted: false, cancellationToken).ConfigureAwait(false);
        return total;
    }

    private bool HasRoom(OutboxLane lane) => InFlight(lane).Count < _options.MaxBatchesInFlight;

    private LaneInFlight InFlight(OutboxLane lane) => _inFlight.GetOrAdd(lane.Name, _ => new LaneInFlight());

    private async Task<StepResult> TickLaneAsync(OutboxLane lane, bool waitForCommits, CancellationToken cancellationToken)
    {
        var inFlight = InFlight(lane);
        var room = _options.MaxBatchesInFlight - inFlight.Count;
        if (room <= 0) return new StepResult(0, 0, 0, 0, null);
        await using var journal = await OpenJournalAsync(cancellationToken).ConfigureAwait(false);
        // Rows of batches still waiting for their block are pending too; read past them.
        var batches = (await lane.ReadPendingAsync(journal, room + inFlight.Count, _maxRows, cancellationToken).ConfigureAwait(false))
            .Where(b => !inFlight.Contains(b.Rows[0].Sequence)).Take(room).ToList();
        if (batches.Count == 0) return new StepResult(0, 0, 0, 0, null);

        int committed = 0, already = 0, dead = 0;
        string? stopError = null;
        // Endorsement of every batch of the window at once; submission below, in order.
        var preparing = lane.Pipelined ? batches.Select(b => PrepareAsync(lane, b, cancellationToken)).ToList() : null;
        var waiting = new List<Task<StepResult>>();

        for (var i = 0; i < batches.Count && stopError is null; i++)
        {
            var batch = batches[i];
            var (prepared, error) = preparing is not null ? await preparing[i].ConfigureAwait(false) : await PrepareAsync(lane, batch, cancellationToken).ConfigureAwait(false);
            while (error is not null && IsPermanent(error) && ItemKey(error) is { } key && batch.Rows.Count > 1 && batch.Rows.Any(r => r.Key == key))
            {
                // The ledger named the one item it refuses: dead-letter it, and the rest of the batch goes on at once, in its place.
                await MarkDeadAsync(journal, lane, batch.Rows.Where(r => r.Key == key).ToList(), error, cancellationToken).ConfigureAwait(false);
                dead++;
                batch = batch.Without(key);
                (prepared, error) = await PrepareAsync(lane, batch, cancellationToken).ConfigureAwait(false);
            }
            if (error is not null)
            {
                if (IsPermanent(error))
                {
                    await MarkDeadAsync(journal, lane, batch.Rows, error, cancellationToken).ConfigureAwait(false);
                    dead += batch.Rows.Count;
                    continue;
                }
                stopError = await FailedAsync(journal, lane, batch, error, cancellationToken).ConfigureAwait(false);
                break;
            }
            if (prepared!.AlreadyOnLedger is { } known)
            {
                await MarkCommittedAsync(journal, lane, batch, known, cancellationToken).ConfigureAwait(false);
                (committed, already) = Count(known, committed, already);
                continue;
            }
            try
            {
                await _pipeline.ExecuteAsync(async token => await prepared.SubmitAsync(token).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                if (IsPermanent(e))
                {
                    await MarkDeadAsync(journal, lane, batch.Rows, e, cancellationToken).ConfigureAwait(false);
                    dead += batch.Rows.Count;
                    continue;
                }
                stopError = await FailedAsync(journal, lane, batch, e, cancellationToken).ConfigureAwait(false);
                break;
            }
            // Submitted: its block is awaited in the background, so the next batches can be endorsed meanwhile.
            waiting.Add(inFlight.Track(batch.Rows[0].Sequence, WaitForCommitAsync(lane, batch, prepared, cancellationToken)));
        }
        // Batches endorsed after the one that stopped the lane are dropped unsubmitted: nothing of them reached the chain.
        if (preparing is not null) await Task.WhenAll(preparing).ConfigureAwait(false);

        var submitted = waiting.Count;
        if (waitForCommits)
        {
            foreach (var outcome in await Task.WhenAll(waiting).ConfigureAwait(false))
            {
                committed += outcome.Committed;
                already += outcome.AlreadyCommitted;
                dead += outcome.DeadLettered;
                stopError ??= outcome.LedgerError;
            }
            Interlocked.Exchange(ref _backgroundError, null);
            submitted = 0;
        }
        return new StepResult(committed, already, dead, submitted, stopError);
    }

    /// <summary>Waits for a submitted batch's block and marks its rows; reports a failure for the next step to log.</summary>
    private async Task<StepResult> WaitForCommitAsync(OutboxLane lane, LaneBatch batch, IPreparedLedgerBatch prepared, CancellationToken cancellationToken)
    {
        try
        {
            IReadOnlyList<LedgerCommitResult>? results = null;
            Exception? error = null;
            try
            {
                results = await _pipeline.ExecuteAsync(async token => await prepared.WaitForCommitAsync(token).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                error = e;
            }
            await using var journal = await OpenJournalAsync(CancellationToken.None).ConfigureAwait(false);
            if (results is not null)
            {
                await MarkCommittedAsync(journal, lane, batch, results, CancellationToken.None).ConfigureAwait(false);
                var (committed, already) = Count(results, 0, 0);
                return new StepResult(committed, already, 0, 0, null);
            }
            if (IsPermanent(error!))
            {
                await MarkDeadAsync(journal, lane, batch.Rows, error!, CancellationToken.None).ConfigureAwait(false);
                return new StepResult(0, 0, batch.Rows.Count, 0, null);
            }
            // Outcome unknown or invalidated by a read conflict: still pending, sent again later (idempotent).
            var described = await FailedAsync(journal, lane, batch, error!, CancellationToken.None).ConfigureAwait(false);
            Volatile.Write(ref _backgroundError, described);
            return new StepResult(0, 0, 0, 0, described);
        }
        finally
        {
            Notify();
        }
    }

    private static (int Committed, int Already) Count(IReadOnlyList<LedgerCommitResult> results, int committed, int already)
    {
        var fresh = results.Count(r => r.Outcome == LedgerCommitOutcome.Committed);
        return (committed + fresh, already + results.Count - fresh);
    }

    private async Task<(IPreparedLedgerBatch? Prepared, Exception? Error)> PrepareAsync(OutboxLane lane, LaneBatch batch, CancellationToken cancellationToken)
    {
        try
        {
            var prepared = await _pipeline.ExecuteAsync(async token => await lane.PrepareAsync(batch, token).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            return (prepared, null);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, e);
        }
    }

    private bool IsPermanent(Exception e) => _options.IsPermanentFailure(e);

    private static string? ItemKey(Exception e) => e is ILedgerFailure { ItemKey: { } key } ? key : null;

    private string Now() => SettlementCanonicalForm.FormatInstant(_timeProvider.GetUtcNow());

    private async Task MarkCommittedAsync(SqliteConnection journal, OutboxLane lane, LaneBatch batch, IReadOnlyList<LedgerCommitResult> results, CancellationToken cancellationToken) =>
        await OutboxRows.MarkCommittedAsync(journal, lane.Table, batch.Rows.Select(r => r.Sequence).ToList(), results, Now(), cancellationToken).ConfigureAwait(false);

    private async Task MarkDeadAsync(SqliteConnection journal, OutboxLane lane, IReadOnlyList<LaneRow> rows, Exception reason, CancellationToken cancellationToken)
    {
        await OutboxRows.MarkDeadAsync(journal, lane.Table, rows.Select(r => r.Sequence).ToList(), reason.Message, Now(), cancellationToken).ConfigureAwait(false);
        foreach (var row in rows)
        {
            if (row.Item is SettlementRecord settlement)
                _logger.LogError("Settlement {SettlementId} of round {RoundId} rejected by the ledger and dead-lettered: {Reason}", settlement.SettlementId, settlement.RoundId, reason.Message);
            else
                _logger.LogError("{Stream} record {Key} rejected by the ledger and dead-lettered: {Reason}", lane.Name, row.Key, reason.Message);
        }
    }

    private async Task<string> FailedAsync(SqliteConnection journal, OutboxLane lane, LaneBatch batch, Exception error, CancellationToken cancellationToken)
    {
        var described = Describe(error);
        await OutboxRows.RecordFailureAsync(journal, lane.Table, batch.Rows.Select(r => r.Sequence).ToList(), described, Now(), cancellationToken).ConfigureAwait(false);
        return lane.Name == LedgerStream.Settlements.Name() ? described : $"{lane.Name}: {described}";
    }

    private async Task FailingAsync(SqliteConnection journal, string error, CancellationToken cancellationToken)
    {
        var backlog = await _outbox.ReadBacklogAsync(journal, countCommitted: false, cancellationToken).ConfigureAwait(false);
        _lastBacklog = backlog;
        var now = _timeProvider.GetUtcNow();
        if (_failingSince is null || now - _lastFailureLog >= FailureLogInterval)
        {
            _failingSince ??= now;
            _lastFailureLog = now;
            _logger.LogWarning("Ledger unavailable since {FailingSince:O}: {Error}. Backlog: {PendingCount} settlements pending, oldest waiting {OldestPendingAge}",
                _failingSince, error, backlog.PendingCount, backlog.OldestPendingAge);
        }
    }

    private async Task RecoveredAsync(SqliteConnection journal, CancellationToken cancellationToken)
    {
        var backlog = await _outbox.ReadBacklogAsync(journal, countCommitted: false, cancellationToken).ConfigureAwait(false);
        _lastBacklog = backlog;
        _logger.LogInformation("Ledger answering again after {Outage}; {PendingCount} settlements still pending",
            _timeProvider.GetUtcNow() - _failingSince, backlog.PendingCount);
        _failingSince = null;
    }

    private string Describe(Exception e) => e switch
    {
        BrokenCircuitException { InnerException: { } last } => $"circuit open after repeated ledger failures (last: {last.GetType().Name}: {last.Message})",
        BrokenCircuitException => $"circuit open after repeated ledger failures ({e.Message})",
        TimeoutRejectedException => $"no answer from the ledger within {_options.AttemptTimeout} (outcome unknown; will be retried)",
        _ => $"{e.GetType().Name}: {e.Message}",
    };

    private async Task<SqliteConnection> OpenJournalAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_journalConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var pragma = connection.CreateCommand();
            pragma.CommandText = "PRAGMA busy_timeout = 30000;";
            await pragma.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>What a step did: rows committed, found already committed, dead-lettered; batches left waiting for their block; the error that stopped a lane.</summary>
    private sealed record StepResult(int Committed, int AlreadyCommitted, int DeadLettered, int Submitted, string? LedgerError)
    {
        public int Processed => Committed + AlreadyCommitted + DeadLettered;
    }

    /// <summary>A lane's batches submitted and waiting for their block, by the sequence of their first row.</summary>
    private sealed class LaneInFlight
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<long, Task<StepResult>> _tasks = new();

        public int Count => _tasks.Count;

        public IEnumerable<Task> Tasks => _tasks.Values;

        public bool Contains(long sequence) => _tasks.ContainsKey(sequence);

        public Task<StepResult> Track(long sequence, Task<StepResult> task)
        {
            _tasks[sequence] = task;
            _ = task.ContinueWith(_ => _tasks.TryRemove(sequence, out Task<StepResult>? _), TaskScheduler.Default);
            return task;
        }
    }
}
