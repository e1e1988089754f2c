using Gateway.LedgerClient.Embedded;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Gateway.LedgerClient.Outbox;

/// <summary>
/// Drains the outbox into the ledger in enqueue order, in the background.
/// </summary>
/// <remarks>
/// Exactly once: a row is marked committed only after the ledger confirmed it. If the process
/// dies between the ledger's commit and the mark, the row is still pending after a restart and
/// is sent again; the ledger recognises the deterministic settlement id with identical content
/// and answers <see cref="LedgerCommitOutcome.AlreadyCommitted"/>, so nothing is committed twice.
/// An unknown outcome (a timeout after sending) is handled the same way: simply retried.
/// A ledger that is down stops the tick at the first pending row (order is kept, the ledger is
/// not hammered); the backlog grows in the journal and drains when the ledger answers again.
/// A permanently rejected settlement is dead-lettered with the reason and the rest go on.
/// </remarks>
public sealed class OutboxDispatcher
{
    private static readonly TimeSpan FailureLogInterval = TimeSpan.FromMinutes(1);

    private readonly string _journalConnectionString;
    private readonly ISettlementLedger _ledger;
    private readonly ISettlementBatchLedger? _batchLedger;
    private readonly OutboxDispatcherOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline _pipeline;
    private readonly SettlementOutbox _outbox;
    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private DateTimeOffset? _failingSince;
    private DateTimeOffset _lastFailureLog;
    private volatile OutboxBacklog? _lastBacklog;

    /// <summary>Creates a dispatcher; the options are validated here.</summary>
    /// <param name="journalConnectionString">Connection string of the caller's database that holds the outbox table.</param>
    /// <param name="ledger">The ledger to commit to (embedded or Fabric).</param>
    /// <param name="options">Batching, polling and resilience settings.</param>
    /// <param name="timeProvider">Clock for delays, timeouts and backlog age.</param>
    /// <param name="logger">Where backlog warnings and dead letters are logged.</param>
    /// <exception cref="ArgumentException">The options are invalid (the message names each one).</exception>
    public OutboxDispatcher(
        string journalConnectionString,
        ISettlementLedger ledger,
        OutboxDispatcherOptions options,
        TimeProvider timeProvider,
        ILogger<OutboxDispatcher>? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(journalConnectionString);
        ArgumentNullException.ThrowIfNull(ledger);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _pipeline = OutboxResiliencePipeline.Build(options, timeProvider);
        _journalConnectionString = journalConnectionString;
        _ledger = ledger;
        _batchLedger = options.UseBatchCommits ? ledger as ISettlementBatchLedger : null;
        _options = options;
        _timeProvider = timeProvider;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _outbox = new SettlementOutbox(timeProvider);
    }

    /// <summary>
    /// The backlog as of the last tick that did something or failed, or the last <see cref="GetBacklogAsync"/>
    /// (null before the first); for dashboards. Its <see cref="OutboxBacklog.CommittedCount"/> is null: ticks do not count history.
    /// </summary>
    public OutboxBacklog? LastBacklog => _lastBacklog;

    /// <summary>Wakes the loop now (call after enqueueing) instead of at the next poll.</summary>
    public void Notify() => Volatile.Read(ref _wake).TrySetResult();

    /// <summary>Reads the current backlog from the journal.</summary>
    public async Task<OutboxBacklog> GetBacklogAsync(CancellationToken cancellationToken = default)
    {
        await using var journal = await OpenJournalAsync(cancellationToken).ConfigureAwait(false);
        var backlog = await _outbox.ReadBacklogAsync(journal, countCommitted: false, cancellationToken).ConfigureAwait(false);
        _lastBacklog = backlog;
        return backlog;
    }

    /// <summary>
    /// Runs until cancelled: ticks while there is work, waits <see cref="OutboxDispatcherOptions.PollInterval"/>
    /// (or until <see cref="Notify"/>) when the outbox is empty or the ledger is failing.
    /// An error reading or writing the journal is logged and retried; only cancellation ends the loop.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken = default)
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
                var result = await TickAsync(cancellationToken).ConfigureAwait(false);
                moreWork = result.LedgerError is null && result.Processed >= _options.BatchSize;
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

    /// <summary>
    /// One step: takes up to <see cref="OutboxDispatcherOptions.BatchSize"/> pending rows in order and
    /// commits them through the resilience pipeline; stops at the first transient failure.
    /// </summary>
    public async Task<OutboxTickResult> TickAsync(CancellationToken cancellationToken = default)
    {
        await using var journal = await OpenJournalAsync(cancellationToken).ConfigureAwait(false);
        var pending = await SettlementOutbox.ReadEntriesAsync(journal, OutboxEntryState.Pending, _options.BatchSize, cancellationToken).ConfigureAwait(false);
        if (pending.Count == 0)
        {
            if (_failingSince is not null) await RecoveredAsync(journal, cancellationToken).ConfigureAwait(false);
            return new OutboxTickResult(0, 0, 0, null);
        }

        var result = await DispatchAsync(journal, pending, cancellationToken).ConfigureAwait(false);
        if (result.LedgerError is not null)
            await FailingAsync(journal, result.LedgerError, cancellationToken).ConfigureAwait(false);
        else if (_failingSince is not null)
            await RecoveredAsync(journal, cancellationToken).ConfigureAwait(false);
        else
            _lastBacklog = await _outbox.ReadBacklogAsync(journal, countCommitted: false, cancellationToken).ConfigureAwait(false);
        return result;
    }

    private async Task<OutboxTickResult> DispatchAsync(SqliteConnection journal, IReadOnlyList<OutboxEntry> pending, CancellationToken cancellationToken)
    {
        int committed = 0, already = 0, dead = 0;
        if (_batchLedger is not null && pending.Count > 1)
        {
            var settlements = pending.Select(p => p.Settlement).ToArray();
            try
            {
                var results = await _pipeline.ExecuteAsync(
                    async token => await _batchLedger.CommitBatchAsync(settlements, token).ConfigureAwait(false),
                    cancellationToken).ConfigureAwait(false);
                await MarkCommittedAsync(journal, pending, results, cancellationToken).ConfigureAwait(false);
                committed = results.Count(r => r.Outcome == LedgerCommitOutcome.Committed);
                return new OutboxTickResult(committed, results.Count - committed, 0, null);
            }
            catch (Exception e) when (_options.IsPermanentFailure(e))
            {
                // One bad settlement rejects the whole batch; go one by one to dead-letter only it.
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                var error = Describe(e);
                await RecordFailureAsync(journal, pending[0], error, cancellationToken).ConfigureAwait(false);
                return new OutboxTickResult(0, 0, 0, error);
            }
        }

        foreach (var entry in pending)
        {
            LedgerCommitResult result;
            try
            {
                result = await _pipeline.ExecuteAsync(
                    async token => await _ledger.CommitAsync(entry.Settlement, token).ConfigureAwait(false),
                    cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (_options.IsPermanentFailure(e))
            {
                await MarkDeadAsync(journal, entry, e.Message, cancellationToken).ConfigureAwait(false);
                _logger.LogError("Settlement {SettlementId} of round {RoundId} rejected by the ledger and dead-lettered: {Reason}",
                    entry.Settlement.SettlementId, entry.Settlement.RoundId, e.Message);
                dead++;
                continue;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                var error = Describe(e);
                await RecordFailureAsync(journal, entry, error, cancellationToken).ConfigureAwait(false);
                return new OutboxTickResult(committed, already, dead, error);
            }
            await MarkCommittedAsync(journal, [entry], [result], cancellationToken).ConfigureAwait(false);
            if (result.Outcome == LedgerCommitOutcome.Committed) committed++; else already++;
        }
        return new OutboxTickResult(committed, already, dead, null);
    }

    private async Task MarkCommittedAsync(SqliteConnection journal, IReadOnlyList<OutboxEntry> entries, IReadOnlyList<LedgerCommitResult> results, CancellationToken cancellationToken)
    {
        var now = SettlementCanonicalForm.FormatInstant(_timeProvider.GetUtcNow());
        await using var transaction = (SqliteTransaction)await journal.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = journal.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"""
            UPDATE {SettlementOutbox.TableName}
            SET state = 'committed', committed_at_utc = $now, block_number = $block, transaction_id = $tx, outcome = $outcome
            WHERE seq = $seq AND state = 'pending'
            """;
        var seq = command.Parameters.Add("$seq", SqliteType.Integer);
        var block = command.Parameters.Add("$block", SqliteType.Integer);
        var tx = command.Parameters.Add("$tx", SqliteType.Text);
        var outcome = command.Parameters.Add("$outcome", SqliteType.Text);
        command.Parameters.AddWithValue("$now", now);
        for (var i = 0; i < entries.Count; i++)
        {
            seq.Value = entries[i].Sequence;
            block.Value = results[i].BlockNumber;
            tx.Value = results[i].TransactionId;
            outcome.Value = results[i].Outcome.ToString();
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task MarkDeadAsync(SqliteConnection journal, OutboxEntry entry, string reason, CancellationToken cancellationToken)
    {
        await using var command = journal.CreateCommand();
        command.CommandText = $"""
            UPDATE {SettlementOutbox.TableName}
            SET state = 'dead', last_error = $reason, last_error_at_utc = $now
            WHERE seq = $seq AND state = 'pending'
            """;
        command.Parameters.AddWithValue("$seq", entry.Sequence);
        command.Parameters.AddWithValue("$reason", reason);
        command.Parameters.AddWithValue("$now", SettlementCanonicalForm.FormatInstant(_timeProvider.GetUtcNow()));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task RecordFailureAsync(SqliteConnection journal, OutboxEntry entry, string error, CancellationToken cancellationToken)
    {
        await using var command = journal.CreateCommand();
        command.CommandText = $"""
            UPDATE {SettlementOutbox.TableName}
            SET failed_attempts = failed_attempts + 1, last_error = $error, last_error_at_utc = $now
            WHERE seq = $seq AND state = 'pending'
            """;
        command.Parameters.AddWithValue("$seq", entry.Sequence);
        command.Parameters.AddWithValue("$error", error);
        command.Parameters.AddWithValue("$now", SettlementCanonicalForm.FormatInstant(_timeProvider.GetUtcNow()));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
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
}
