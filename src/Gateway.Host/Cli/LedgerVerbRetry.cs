using System.CommandLine;
using Gateway.LedgerClient.Outbox;
using Microsoft.Data.Sqlite;

namespace Gateway.Host.Cli;

/// <summary>
/// <c>gateway ledger retry (ID | --all) (--journal FILE | --rig FILE) [--json]</c>: after an operator fixed what made the
/// ledger refuse them (a wrong identity, a chaincode upgrade, a policy), dead letters go back to pending; a running gateway
/// sends them with its next tick, a stopped one when it starts.
/// </summary>
internal static class LedgerVerbRetry
{
    public static Command Create()
    {
        var id = new Argument<string?>("ID") { Description = "The settlement id (or side-chain record key) to re-queue.", Arity = ArgumentArity.ZeroOrOne };
        var all = new Option<bool>("--all") { Description = "Re-queue every dead letter." };
        var journal = new Option<string?>("--journal") { Description = "The gateway's journal database that holds the outbox." };
        var rig = LedgerVerb.RigOption();
        var json = LedgerVerb.JsonOption();
        var command = new Command("retry", "Re-queue dead letters (one by id, or --all) after their cause is fixed. Exit 0 re-queued, 1 nothing to re-queue, 2 bad input.");
        command.Arguments.Add(id);
        foreach (var o in new Option[] { all, journal, rig, json }) command.Options.Add(o);
        command.SetAction(async (ParseResult result, CancellationToken cancellationToken) =>
        {
            var report = new LedgerVerbFailure("ledger retry", result.GetValue(json), result.InvocationConfiguration.Output, result.InvocationConfiguration.Error);
            var path = LedgerVerbBacklog.JournalPath(result.GetValue(journal), result.GetValue(rig), report, out var failure);
            return path is null ? failure : await RunAsync(path, result.GetValue(id), result.GetValue(all), result.GetValue(json), TimeProvider.System,
                result.InvocationConfiguration.Output, result.InvocationConfiguration.Error, cancellationToken);
        });
        return command;
    }

    public static async Task<int> RunAsync(string journalPath, string? id, bool all, bool json, TimeProvider wallClock, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var report = new LedgerVerbFailure("ledger retry", json, output, error);
        if ((id is null) == !all) return report.Fail(ExitCodes.BadInput, "give a settlement id (or record key) or --all, not both");
        if (!File.Exists(journalPath)) return report.Fail(ExitCodes.BadInput, $"no journal file at {journalPath}");
        int settlements, records;
        try
        {
            await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = journalPath, Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString());
            await connection.OpenAsync(cancellationToken);
            await using (var pragma = connection.CreateCommand())
            {
                pragma.CommandText = "PRAGMA busy_timeout = 30000;";
                await pragma.ExecuteNonQueryAsync(cancellationToken);
            }
            await SettlementOutbox.EnsureSchemaAsync(connection, cancellationToken);
            settlements = await new SettlementOutbox(wallClock).RequeueDeadAsync(connection, id, cancellationToken);
            records = await new RoundRecordOutbox(wallClock).RequeueDeadAsync(connection, id, cancellationToken);
        }
        catch (SqliteException e)
        {
            return report.Fail(ExitCodes.BadInput, $"cannot update the outbox in {journalPath}: {e.Message}");
        }
        var exitCode = settlements + records > 0 ? ExitCodes.Ok : ExitCodes.Failed;
        if (json)
        {
            LedgerVerbOutput.WriteJson(output, new { exitCode, journal = journalPath, requeuedSettlements = settlements, requeuedRecords = records });
        }
        else if (settlements + records == 0)
        {
            output.WriteLine(id is null ? $"no dead letters in {journalPath}" : $"no dead letter with id '{id}' in {journalPath}");
        }
        else
        {
            output.WriteLine($"re-queued {settlements} settlements and {records} side-chain records in {journalPath}; the gateway sends them with its next tick");
        }
        return exitCode;
    }
}
