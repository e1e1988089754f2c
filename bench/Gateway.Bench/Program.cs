using BenchmarkDotNet.Running;
using Gateway.Bench;

// `cycle [devices] [rounds] [--endpoints N] [--warmup-rounds N] [--sims device-sims.dll]` runs the system-level gateway cycle bench;
// anything else goes to BenchmarkDotNet.
if (args is ["cycle", ..])
{
    var positional = new List<string>();
    var endpoints = 1;
    var warmupRounds = 0;
    var sims = Path.Combine(AppContext.BaseDirectory, "device-sims.dll");
    for (var i = 1; i < args.Length; i++)
    {
        switch (args[i])
        {
            case "--endpoints" when i + 1 < args.Length: endpoints = int.Parse(args[++i]); break;
            case "--sims" when i + 1 < args.Length: sims = args[++i]; break;
            case "--warmup-rounds" when i + 1 < args.Length: warmupRounds = int.Parse(args[++i]); break;
            default: positional.Add(args[i]); break;
        }
    }
    var devices = positional.Count > 0 ? int.Parse(positional[0]) : 200;
    var rounds = positional.Count > 1 ? int.Parse(positional[1]) : 4;
    if (positional.Count > 2) sims = positional[2];
    return await GatewayCycleBench.RunAsync(devices, rounds, sims, endpoints, warmupRounds);
}
BenchmarkSwitcher.FromAssembly(typeof(GatewayCycleBench).Assembly).Run(args);
return 0;
