using System.CommandLine;
using Gateway.Host.Cli;

namespace Gateway.Host.Tests.Ledger;

/// <summary>Runs the ledger and trace verbs in-process, as the command line would, capturing both streams.</summary>
internal static class LedgerVerbInvocation
{
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        var root = new RootCommand();
        root.Subcommands.Add(LedgerVerb.Create());
        root.Subcommands.Add(TraceVerb.Create());
        var output = new StringWriter();
        var error = new StringWriter();
        var exitCode = await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString());
    }
}
