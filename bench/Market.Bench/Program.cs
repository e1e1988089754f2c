using BenchmarkDotNet.Running;
using Gateway.Bench;

// `scale`: the market core at 15+5, 100+100 and 1000+1000 beside COIN-OR; anything else goes to BenchmarkDotNet.
if (args is ["scale", ..]) return MarketScaleBench.Run();
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
