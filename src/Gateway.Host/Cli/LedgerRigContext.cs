using Gateway.Runtime.Ledger;
using Gateway.Rigs;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Host.Cli;

/// <summary>
/// A rig's ledgers and journal opened for the ledger verbs (verify, trace, follow, backlog, retry), with every way
/// that can fail mapped to an exit code and one line naming what is wrong.
/// </summary>
internal sealed class LedgerRigContext : IAsyncDisposable
{
    private LedgerRigContext(RigDefinition rig, LedgerSet ledgers)
    {
        Rig = rig;
        Ledgers = ledgers;
    }

    public RigDefinition Rig { get; }

    public LedgerSet Ledgers { get; }

    /// <summary>Loads the rig; null (and the exit code written to <paramref name="failure"/>) when the file is wrong.</summary>
    public static RigDefinition? LoadRig(string rigPath, LedgerVerbFailure report, out int failure)
    {
        failure = ExitCodes.Ok;
        try
        {
            return RigLoader.Load(rigPath);
        }
        catch (RigFileException e)
        {
            failure = report.Fail(ExitCodes.BadInput, e.Message);
            return null;
        }
    }

    /// <summary>Opens the rig's ledgers without creating an embedded file that is not there.</summary>
    public static async Task<(LedgerRigContext? Context, int ExitCode)> OpenAsync(string rigPath, LedgerVerbFailure report, CancellationToken cancellationToken)
    {
        var rig = LoadRig(rigPath, report, out var failure);
        if (rig is null) return (null, failure);
        var usesFile = rig.Ledger.Kind != "fabric" || rig.Ledger.Fabric is not { Matching: not null, Electricity: not null };
        if (usesFile && !File.Exists(rig.Ledger.EmbeddedPath))
            return (null, report.Fail(ExitCodes.BadInput, $"no embedded ledger file at {rig.Ledger.EmbeddedPath} (has the rig run yet?)"));
        try
        {
            return (new LedgerRigContext(rig, await LedgerSet.OpenAsync(rig, NullLoggerFactory.Instance, cancellationToken)), ExitCodes.Ok);
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or IOException or System.Security.Cryptography.CryptographicException or Microsoft.Data.Sqlite.SqliteException)
        {
            return (null, report.Fail(ExitCodes.BadInput, $"cannot open the ledger of {rigPath}: {e.Message}"));
        }
    }

    /// <summary>The rig's journal, read-only; null (and the exit code) when it is missing or unreadable.</summary>
    public static async Task<(JournalLedgerView? Journal, int ExitCode)> ReadJournalAsync(string path, LedgerVerbFailure report, bool required, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
            return (null, required ? report.Fail(ExitCodes.BadInput, $"no journal file at {path}") : ExitCodes.Ok);
        try
        {
            return (await JournalLedgerView.ReadAsync(path, cancellationToken), ExitCodes.Ok);
        }
        catch (Exception e) when (e is InvalidDataException or FileNotFoundException or Microsoft.Data.Sqlite.SqliteException)
        {
            return (null, report.FileProblem(e));
        }
    }

    public ValueTask DisposeAsync() => Ledgers.DisposeAsync();
}
