using System.CommandLine;
using Gateway.LedgerClient;
using Gateway.LedgerClient.Embedded;
using Gateway.LedgerClient.Outbox;
using Microsoft.Data.Sqlite;
using Spectre.Console;

namespace Gateway.Host.Cli;

/// <summary>
/// <c>gateway ledger backlog (--journal FILE | --rig FILE) [--limit N] [--json]</c>: what the outbox still has to deliver
/// (settlements and the side chains' records), and its dead letters with the ledger's reason.
/// </summary>
internal static class LedgerVerbBacklog
{
    public static Command Create()
    {
        var journal = new Option<string?>("--journal") { Description = "The gateway's journal database that holds the outbox." };
        var rig = LedgerVerb.RigOption();
        var limit = new Option<int>("--limit") { Description = "Most pending rows to list (default 50).", DefaultValueFactory = _ => 50 };
        var json = LedgerVerb.JsonOption();
        var command = new Command("backlog", "Show the settlement outbox: pending settlements (oldest first), their last error, and dead letters.");
        command.Options.Add(journal);
        command.Options.Add(rig);
        command.Options.Add(limit);
        command.Options.Add(json);
        command.SetAction(async (ParseResult result, CancellationToken cancellationToken) =>
        {
            var report = new LedgerVerbFailure("ledger backlog", result.GetValue(json), result.InvocationConfiguration.Output, result.InvocationConfiguration.Error);
            var path = JournalPath(result.GetValue(journal), result.GetValue(rig), report, out var failure);
            return path is null ? failure : await RunAsync(path, result.GetValue(limit), result.GetValue(json), TimeProvider.System, result.InvocationConfiguration.Output,
                result.InvocationConfiguration.Error, cancellationToken);
        });
        return command;
    }

    public static async Task<int> RunAsync(string journalPath, int limit, bool json, TimeProvider timeProvider, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var report = new LedgerVerbFailure("ledger backlog", json, output, error);
        if (limit <= 0) return report.Fail(ExitCodes.BadInput, $"--limit must be positive (is {limit})");
        if (!File.Exists(journalPath)) return report.Fail(ExitCodes.BadInput, $"no journal file at {journalPath}");

        OutboxBacklog backlog;
        IReadOnlyList<OutboxEntry> pending, dead;
        IReadOnlyList<RoundRecordEntry> deadRecords;
        var streams = new Dictionary<string, OutboxBacklog>();
        try
        {
            await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = journalPath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
            await connection.OpenAsync(cancellationToken);
            if (!await HasOutboxAsync(connection, cancellationToken))
                return report.Fail(ExitCodes.BadInput, $"{journalPath} has no settlement outbox (table {SettlementOutbox.TableName})");
            backlog = await new SettlementOutbox(timeProvider).ReadBacklogAsync(connection, cancellationToken: cancellationToken);
            pending = await SettlementOutbox.ReadEntriesAsync(connection, OutboxEntryState.Pending, limit, cancellationToken);
            dead = await SettlementOutbox.ReadEntriesAsync(connection, OutboxEntryState.DeadLettered, limit, cancellationToken);
            deadRecords = await RoundRecordOutbox.ReadEntriesAsync(connection, state: OutboxEntryState.DeadLettered, limit: limit, cancellationToken: cancellationToken);
            var records = new RoundRecordOutbox(timeProvider);
            foreach (var stream in new[] { LedgerStream.Matching, LedgerStream.Electricity })
                streams[stream.Name()] = await records.ReadBacklogAsync(connection, stream, cancellationToken);
        }
        catch (Exception e) when (e is SqliteException or FormatException or InvalidDataException)
        {
            return report.Fail(ExitCodes.BadInput, $"cannot read the outbox in {journalPath}: {e.Message}");
        }

        if (json)
        {
            LedgerVerbOutput.WriteJson(output, new
            {
                exitCode = ExitCodes.Ok,
                journal = journalPath,
                pending = backlog.PendingCount,
                oldestPendingAgeSeconds = backlog.OldestPendingAge?.TotalSeconds,
                deadLetters = backlog.DeadLetterCount,
                committed = backlog.CommittedCount,
                lastError = backlog.LastError,
                lastErrorAtUtc = backlog.LastErrorAtUtc,
                pendingSettlements = pending.Select(Row),
                deadLetterSettlements = dead.Select(Row),
                sideChains = streams.Select(p => new { stream = p.Key, pending = p.Value.PendingCount, committed = p.Value.CommittedCount, deadLetters = p.Value.DeadLetterCount, lastError = p.Value.LastError }),
                deadLetterRecords = deadRecords.Select(r => new { sequence = r.Sequence, stream = r.Record.Stream.Name(), key = r.Record.Key, roundId = r.Record.RoundId, reason = r.LastError }),
            });
            return ExitCodes.Ok;
        }

        var console = LedgerVerbOutput.Console(output);
        console.WriteLine($"outbox {journalPath}: {backlog.PendingCount} pending, {backlog.DeadLetterCount} dead-lettered, {backlog.CommittedCount} committed");
        if (backlog.OldestPendingAge is { } age) console.WriteLine($"oldest pending settlement waiting {age:d\\.hh\\:mm\\:ss}");
        if (backlog.LastError is { } last) console.WriteLine($"last error ({backlog.LastErrorAtUtc?.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC): {last}");
        if (pending.Count > 0) console.Write(Table($"Pending (oldest first, up to {limit})", pending));
        foreach (var (stream, b) in streams.Where(p => p.Value.PendingCount + p.Value.DeadLetterCount + (p.Value.CommittedCount ?? 0) > 0))
            console.WriteLine($"{stream} side chain: {b.PendingCount} pending, {b.DeadLetterCount} dead-lettered, {b.CommittedCount} committed{(b.LastError is { } e ? "; last error: " + e : "")}");
        if (dead.Count > 0) console.Write(Table("Dead letters (need an operator; `gateway ledger retry ID|--all` after the cause is fixed)", dead));
        if (deadRecords.Count > 0)
        {
            var table = new Table().Title("Dead side-chain records");
            foreach (var header in new[] { "#", "Stream", "Key", "Reason" }) table.AddColumn(header);
            foreach (var r in deadRecords) table.AddRow($"{r.Sequence}", r.Record.Stream.Name(), Markup.Escape(r.Record.Key), Markup.Escape(r.LastError ?? ""));
            console.Write(table);
        }
        return ExitCodes.Ok;
    }

    private static object Row(OutboxEntry e) => new
    {
        sequence = e.Sequence,
        settlementId = e.Settlement.SettlementId,
        roundId = e.Settlement.RoundId,
        amount = e.Settlement.Amount,
        enqueuedAtUtc = e.EnqueuedAtUtc,
        failedAttempts = e.FailedAttempts,
        lastError = e.LastError,
    };

    private static Table Table(string title, IReadOnlyList<OutboxEntry> entries)
    {
        var table = new Table().Title(Markup.Escape(title));
        foreach (var header in new[] { "#", "Settlement", "Round", "Amount", "Enqueued (UTC)", "Failed tries", "Last error / reason" })
            table.AddColumn(header);
        foreach (var e in entries)
        {
            table.AddRow(
                $"{e.Sequence}",
                Markup.Escape(e.Settlement.SettlementId),
                Markup.Escape(e.Settlement.RoundId),
                SettlementCanonicalForm.FormatDecimal(e.Settlement.Amount),
                $"{e.EnqueuedAtUtc.UtcDateTime:yyyy-MM-dd HH:mm:ss}",
                $"{e.FailedAttempts}",
                Markup.Escape(e.LastError ?? ""));
        }
        return table;
    }

    /// <summary>The journal named by --journal, or the rig's (--rig); exactly one of them.</summary>
    internal static string? JournalPath(string? journal, string? rig, LedgerVerbFailure report, out int failure)
    {
        failure = ExitCodes.Ok;
        if ((journal is null) == (rig is null))
        {
            failure = report.Fail(ExitCodes.BadInput, "give either --journal FILE or --rig FILE");
            return null;
        }
        if (journal is not null) return journal;
        return LedgerRigContext.LoadRig(rig!, report, out failure)?.JournalPath;
    }

    private static async Task<bool> HasOutboxAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = $name";
        command.Parameters.AddWithValue("$name", SettlementOutbox.TableName);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))! > 0;
    }
}
