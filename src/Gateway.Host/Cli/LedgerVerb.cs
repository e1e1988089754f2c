using System.CommandLine;

namespace Gateway.Host.Cli;

/// <summary>
/// <c>gateway ledger verify|show|backlog</c>: check the embedded ledger's hash chain, print a
/// round's settlements, and show what the settlement outbox still has to deliver.
/// </summary>
internal static class LedgerVerb
{
    /// <summary>Where the embedded ledger lives unless <c>--db</c> says otherwise (relative to the working directory).</summary>
    public const string DefaultLedgerPath = ".gateway/ledger.db";

    public static Command Create()
    {
        var command = new Command("ledger", "Inspect the embedded settlement ledger and the settlement outbox.");
        command.Subcommands.Add(LedgerVerbVerify.Create());
        command.Subcommands.Add(LedgerVerbShow.Create());
        command.Subcommands.Add(LedgerVerbBacklog.Create());
        return command;
    }

    internal static Option<string> DatabaseOption() => new("--db")
    {
        Description = $"The embedded ledger file (default: {DefaultLedgerPath}, relative to the working directory).",
        DefaultValueFactory = _ => DefaultLedgerPath,
    };

    internal static Option<bool> JsonOption() => new("--json")
    {
        Description = "Print JSON instead of text.",
    };
}
