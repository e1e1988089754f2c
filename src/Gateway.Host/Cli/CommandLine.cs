using System.CommandLine;
using System.CommandLine.Invocation;

namespace Gateway.Host.Cli;

/// <summary>
/// The gateway's command line: the verbs, and the rules every verb keeps whatever goes wrong — a parse error (a missing
/// required option, an unknown option, a value of the wrong type) exits 2 with one line naming it; anything a verb lets
/// escape exits with its documented code and lines naming what is wrong; never a stack trace. With <c>--json</c> the
/// error is also printed as JSON on stdout.
/// </summary>
internal static class CommandLine
{
    /// <summary>The root command with every verb.</summary>
    public static RootCommand Build()
    {
        var root = new RootCommand("Gateway for peer-to-peer energy trading among EVs, rooftop PV and an SMES unit on one feeder.");
        foreach (var verb in Verbs.All()) root.Subcommands.Add(verb);
        return root;
    }

    /// <summary>Parses and runs <paramref name="args"/>; returns the exit code.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default)
    {
        var json = args.Contains("--json", StringComparer.Ordinal);
        var verb = "gateway";
        try
        {
            var root = Build();
            var parsed = root.Parse(args);
            verb = VerbName(parsed);
            if (parsed.Errors.Count > 0 && parsed.Action is ParseErrorAction)
            {
                var line = string.Join(" ", parsed.Errors.Select(e => e.Message).Distinct()) + $" ('{verb} --help' lists what it takes)";
                CliFailure.Write(verb, ExitCodes.BadInput, [line], json, stdout, stderr);
                return ExitCodes.BadInput;
            }
            var config = new InvocationConfiguration
            {
                EnableDefaultExceptionHandler = false, Output = stdout, Error = stderr,
                // `run` handles SIGTERM and Ctrl+C itself (finish or park the round, flush, summary; a second signal stops at
                // once): the command line library's own handler would end the process after 2 s with no summary.
                ProcessTerminationTimeout = parsed.CommandResult.Command.Name == "run" ? null : TimeSpan.FromSeconds(2),
            };
            return await parsed.InvokeAsync(config, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            var (code, lines) = CliFailure.Classify(e);
            CliFailure.Write(verb, code, lines, json, stdout, stderr);
            return code;
        }
    }

    private static string VerbName(ParseResult parsed)
    {
        var names = new List<string>();
        for (var c = parsed.CommandResult; c is not null; c = c.Parent as System.CommandLine.Parsing.CommandResult)
            names.Insert(0, c.Command is RootCommand ? "gateway" : c.Command.Name);
        return string.Join(' ', names);
    }
}
