using BenchmarkDotNet.Running;

if (args is ["modbus", ..])
{
    return await Gateway.Bench.ModbusBenchRunner.RunAsync(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
