using BenchmarkDotNet.Running;
using Gateway.Bench;

// `cycle [devices] [rounds] [device-sims.dll]` runs the system-level gateway cycle bench; anything else goes to BenchmarkDotNet.
if (args is ["cycle", ..])
{
    var devices = args.Length > 1 ? int.Parse(args[1]) : 200;
    var rounds = args.Length > 2 ? int.Parse(args[2]) : 4;
    var sims = args.Length > 3 ? args[3] : Path.Combine(AppContext.BaseDirectory, "device-sims.dll");
    return await GatewayCycleBench.RunAsync(devices, rounds, sims);
}
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
