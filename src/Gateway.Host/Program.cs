using System.CommandLine;
using Gateway.Host.Cli;

var root = new RootCommand("Gateway for peer-to-peer energy trading among EVs, rooftop PV and an SMES unit on one feeder.");
foreach (var verb in Verbs.All())
{
    root.Subcommands.Add(verb);
}

return await root.Parse(args).InvokeAsync();
