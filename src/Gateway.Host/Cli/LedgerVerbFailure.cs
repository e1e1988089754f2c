using Gateway.LedgerClient.Fabric;

namespace Gateway.Host.Cli;

/// <summary>
/// How a ledger or trace verb reports a failure: one line on stderr naming the verb and what is wrong and, with
/// <c>--json</c>, the <c>{"exitCode", "error"}</c> object on stdout that every other verb prints (<see cref="CliFailure"/>),
/// so a script reading JSON never gets an empty stdout.
/// </summary>
internal sealed class LedgerVerbFailure(string verb, bool json, TextWriter output, TextWriter error)
{
    /// <summary>The verb as the lines name it, e.g. <c>ledger verify</c>.</summary>
    public string Verb { get; } = verb;

    /// <summary>Reports <paramref name="line"/> and returns <paramref name="exitCode"/>.</summary>
    public int Fail(int exitCode, string line)
    {
        CliFailure.Write(Verb, exitCode, [line], json, output, error);
        return exitCode;
    }

    /// <summary>A file that could not be opened or read: bad input (exit 2); anything else is not ours to map here.</summary>
    public int FileProblem(Exception e) => e switch
    {
        FileNotFoundException or DirectoryNotFoundException or InvalidDataException => Fail(ExitCodes.BadInput, e.Message),
        Microsoft.Data.Sqlite.SqliteException => Fail(ExitCodes.BadInput, $"cannot read the database: {e.Message}"),
        _ => throw e,
    };

    /// <summary>A Fabric peer that could not answer: exit 3 unreachable, 4 deadline expired, 1 otherwise.</summary>
    public int Unreachable(FabricLedgerException e) => Fail(e.Kind switch
    {
        FabricFailureKind.Unavailable => ExitCodes.Unreachable,
        FabricFailureKind.Timeout => ExitCodes.Timeout,
        _ => ExitCodes.Failed,
    }, $"the Fabric peer could not answer: {e.Message}");
}
