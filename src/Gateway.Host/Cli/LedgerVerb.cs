using System.CommandLine;

namespace Gateway.Host.Cli;

/// <summary>
/// <c>gateway ledger verify|show|backlog|retry|follow</c>: check the embedded ledger's hash chain or a rig's journal
/// against its ledgers (embedded or Fabric), print a round's settlements, show what the outbox still has to deliver and
/// its dead letters, re-queue dead letters after a fix, and follow settlements as the ledger commits them.
/// </summary>
internal static class LedgerVerb
{
    /// <summary>Where the embedded ledger lives unless <c>--db</c> says otherwise (relative to the working directory).</summary>
    public const string DefaultLedgerPath = ".gateway/ledger.db";

    public static Command Create()
    {
        var command = new Command("ledger", "Inspect the settlement ledger (embedded or Fabric) and the outbox that feeds it.");
        command.Subcommands.Add(LedgerVerbVerify.Create());
        command.Subcommands.Add(LedgerVerbShow.Create());
        command.Subcommands.Add(LedgerVerbBacklog.Create());
        command.Subcommands.Add(LedgerVerbRetry.Create());
        command.Subcommands.Add(LedgerVerbFollow.Create());
        return command;
    }

    internal static Option<string> DatabaseOption() => new("--db")
    {
        Description = $"The embedded ledger file (default: {DefaultLedgerPath}, relative to the working directory).",
        DefaultValueFactory = _ => DefaultLedgerPath,
    };

    internal static Option<string?> RigOption() => new("--rig")
    {
        Description = "Rig file: its journal and its ledgers (embedded file or Fabric network, as the rig's ledger section says).",
    };

    internal static Option<bool> JsonOption() => new("--json")
    {
        Description = "Print JSON instead of text.",
    };
}
