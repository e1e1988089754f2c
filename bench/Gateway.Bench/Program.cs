using BenchmarkDotNet.Running;
using Gateway.Bench;

// `cycle [devices] [rounds] [--endpoints N] [--warmup-rounds N] [--poll-seconds S] [--sims device-sims.dll]` runs the system-level gateway cycle bench;
// `sims [devices] [--endpoints N] [--window W] [--seconds S] [--sims device-sims.dll]` loads device-sims alone with device reads;
// anything else goes to BenchmarkDotNet.
if (args is ["sims", ..])
{
    int devices = 2000, endpoints = 9, window = 16;
    double seconds = 10;
    var sims = Path.Combine(AppContext.BaseDirectory, "device-sims.dll");
    for (var i = 1; i < args.Length; i++)
    {
        switch (args[i])
        {
            case "--endpoints" when i + 1 < args.Length: endpoints = int.Parse(args[++i]); break;
            case "--window" when i + 1 < args.Length: window = int.Parse(args[++i]); break;
            case "--seconds" when i + 1 < args.Length: seconds = double.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture); break;
            case "--sims" when i + 1 < args.Length: sims = args[++i]; break;
            default: devices = int.Parse(args[i]); break;
        }
    }
    return await SimsLoadBench.RunAsync(devices, endpoints, window, seconds, sims);
}
if (args is ["cycle", ..])
{
    var positional = new List<string>();
    var endpoints = 1;
    var warmupRounds = 0;
    var pollSeconds = 0.0;
    var sims = Path.Combine(AppContext.BaseDirectory, "device-sims.dll");
    for (var i = 1; i < args.Length; i++)
    {
        switch (args[i])
        {
            case "--endpoints" when i + 1 < args.Length: endpoints = int.Parse(args[++i]); break;
            case "--sims" when i + 1 < args.Length: sims = args[++i]; break;
            case "--warmup-rounds" when i + 1 < args.Length: warmupRounds = int.Parse(args[++i]); break;
            case "--poll-seconds" when i + 1 < args.Length: pollSeconds = double.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture); break;
            default: positional.Add(args[i]); break;
        }
    }
    var devices = positional.Count > 0 ? int.Parse(positional[0]) : 200;
    var rounds = positional.Count > 1 ? int.Parse(positional[1]) : 4;
    if (positional.Count > 2) sims = positional[2];
    return await GatewayCycleBench.RunAsync(devices, rounds, sims, endpoints, warmupRounds, pollSeconds);
}
BenchmarkSwitcher.FromAssembly(typeof(GatewayCycleBench).Assembly).Run(args);
return 0;
