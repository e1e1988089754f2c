using System.CommandLine;
using Gateway.Host.Cli;

var root = new RootCommand("Gateway for peer-to-peer energy trading among EVs, rooftop PV and an SMES unit on one feeder.");
foreach (var verb in Verbs.All())
{
    root.Subcommands.Add(verb);
}

var parsed = root.Parse(args);
// `run` handles SIGTERM and Ctrl+C itself (finish or park the round, flush, summary; a second signal stops at once):
// the command line library's own handler would end the process after 2 s with no summary.
var configuration = new InvocationConfiguration
{
    ProcessTerminationTimeout = parsed.CommandResult.Command.Name == "run" ? null : TimeSpan.FromSeconds(2),
};
return await parsed.InvokeAsync(configuration);
