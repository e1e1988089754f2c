using Gateway.Drivers.Mqtt;

namespace Gateway.Bench.Mqtt;

/// <summary>
/// The gateway's <see cref="MqttClient"/> (MQTTnet 5 underneath, with our in-order outbox, in-flight window and
/// handler routing on top), publisher and subscriber in this process: what the layer above MQTTnet costs.
/// </summary>
internal sealed class GatewayMqttBenchClient : IMqttBenchClient
{
    public string Name => "gateway (MQTTnet 5)";

    public async Task<MqttBenchRun> RunAsync(MqttBenchCase benchCase, CancellationToken cancellationToken)
    {
        var qos = (MqttQos)benchCase.Qos;
        var receiver = new MqttBenchReceiver(benchCase.Messages);
        await using var subscriber = new MqttClient(Options(benchCase, "bench-sub-gateway"));
        await using var publisher = new MqttClient(Options(benchCase, "bench-pub-gateway"));
        await subscriber.ConnectAsync(cancellationToken);
        await subscriber.SubscribeAsync(benchCase.Topic, qos, (message, _) =>
        {
            receiver.OnMessage(message.Payload.Span, MqttBenchPayload.NowMicroseconds());
            return ValueTask.CompletedTask;
        }, cancellationToken);
        await publisher.ConnectAsync(cancellationToken);
        await publisher.PublishAsync(benchCase.Topic, MqttBenchPayload.Create(MqttBenchPayload.WarmUpSequence), qos, false, cancellationToken);
        if (!await receiver.WaitWarmUpAsync(TimeSpan.FromSeconds(10), cancellationToken)) throw new TimeoutException($"{Name}: warm-up message not received");

        var acknowledged = new List<Task>(benchCase.Messages);
        var cpu = ProcessCpu.SelfMicroseconds();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await MqttBenchPacer.RunAsync(benchCase.Messages, benchCase.RatePerSecond, async i =>
        {
            var publish = publisher.PublishAsync(benchCase.Topic, MqttBenchPayload.Create(i), qos, false, cancellationToken);
            // QoS 0 completes when written; QoS 1 when acknowledged, so it is not awaited here: the client keeps
            // MaxInflightMessages in flight (20, as mosquitto_pub) and queues the rest.
            if (qos == MqttQos.AtMostOnce) await publish;
            else acknowledged.Add(publish);
        }, cancellationToken);
        await receiver.WaitAllAsync(Name, TimeSpan.FromMinutes(2), cancellationToken);
        var elapsed = clock.Elapsed;
        await Task.WhenAll(acknowledged);
        var cpuUsed = ProcessCpu.SelfMicroseconds() - cpu;
        await publisher.DisconnectAsync(cancellationToken);
        await subscriber.DisconnectAsync(cancellationToken);
        return new MqttBenchRun(elapsed, receiver.LatenciesMs, cpuUsed);
    }

    private static MqttClientOptions Options(MqttBenchCase benchCase, string clientId) => new()
    {
        Host = "127.0.0.1",
        Port = benchCase.Port,
        ClientId = clientId,
        CleanSession = true,
        MaxPendingMessages = 2_000,
    };
}
