namespace Gateway.Bench.Mqtt;

/// <summary>A publisher + subscriber pair of one MQTT client implementation, run against the bench's broker.</summary>
internal interface IMqttBenchClient
{
    /// <summary>Name in the table.</summary>
    string Name { get; }

    /// <summary>Connect both, subscribe, pass a warm-up message, then move the case's messages and measure.</summary>
    Task<MqttBenchRun> RunAsync(MqttBenchCase benchCase, CancellationToken cancellationToken);
}
