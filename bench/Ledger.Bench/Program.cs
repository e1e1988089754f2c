using BenchmarkDotNet.Running;
using Gateway.Bench.MultiSite;

// `multisite ...` runs the multi-site Fabric bench (its own report); anything else goes to BenchmarkDotNet.
if (args.Length > 0 && args[0] == "multisite") return await MultiSiteBench.RunAsync(args);
if (args.Length > 0 && args[0] == "labcheck") return await LabCheck.RunAsync(args);
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
