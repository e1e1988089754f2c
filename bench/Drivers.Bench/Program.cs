using BenchmarkDotNet.Running;

return args switch
{
    ["modbus", ..] => await Gateway.Bench.ModbusBenchRunner.RunAsync(args[1..]),
    ["modbus-client", ..] => await Gateway.Bench.ModbusBenchClient.RunAsync(args[1..]),
    ["modbus-server", ..] => await Gateway.Bench.ModbusBenchServer.RunAsync(args[1..]),
    ["serial-client", ..] => await Gateway.Bench.SerialBenchClient.RunAsync(args[1..]),
    ["serial-server", ..] => await Gateway.Bench.SerialBenchServer.RunAsync(args[1..]),
    ["mqtt", ..] => await Gateway.Bench.Mqtt.MqttBenchRunner.RunAsync(args[1..]),
    ["modbus-poll", ..] => await Gateway.Bench.ModbusPollBench.RunAsync(),
    _ => RunBenchmarkDotNet(args),
};

static int RunBenchmarkDotNet(string[] args)
{
    BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    return 0;
}
