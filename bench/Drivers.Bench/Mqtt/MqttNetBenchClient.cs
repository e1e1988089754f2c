using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Gateway.Bench.Mqtt;

/// <summary>MQTTnet's client (MQTT 5 or 3.1.1), publisher and subscriber in this process.</summary>
internal sealed class MqttNetBenchClient(MqttProtocolVersion version) : IMqttBenchClient
{
    /// <summary>QoS 1 messages in flight at once, as our client's and mosquitto_pub's default.</summary>
    private const int InflightWindow = 20;

    public string Name => version == MqttProtocolVersion.V500 ? "MQTTnet (5)" : "MQTTnet (3.1.1)";

    public async Task<MqttBenchRun> RunAsync(MqttBenchCase benchCase, CancellationToken cancellationToken)
    {
        var qos = (MqttQualityOfServiceLevel)benchCase.Qos;
        var factory = new MqttClientFactory();
        var receiver = new MqttBenchReceiver(benchCase.Messages);
        using var subscriber = factory.CreateMqttClient();
        using var publisher = factory.CreateMqttClient();
        subscriber.ApplicationMessageReceivedAsync += e =>
        {
            var payload = e.ApplicationMessage.Payload;
            var received = MqttBenchPayload.NowMicroseconds();
            if (payload.IsSingleSegment) receiver.OnMessage(payload.FirstSpan, received);
            else receiver.OnMessage(System.Buffers.BuffersExtensions.ToArray(payload), received);
            return Task.CompletedTask;
        };
        await subscriber.ConnectAsync(Options(factory, benchCase, "bench-sub-mqttnet"), cancellationToken);
        await subscriber.SubscribeAsync(factory.CreateSubscribeOptionsBuilder().WithTopicFilter(benchCase.Topic, qos).Build(), cancellationToken);
        await publisher.ConnectAsync(Options(factory, benchCase, "bench-pub-mqttnet"), cancellationToken);
        await publisher.PublishAsync(Message(benchCase.Topic, MqttBenchPayload.WarmUpSequence, qos), cancellationToken);
        if (!await receiver.WaitWarmUpAsync(TimeSpan.FromSeconds(10), cancellationToken)) throw new TimeoutException($"{Name}: warm-up message not received");

        using var window = new SemaphoreSlim(InflightWindow);
        var acknowledged = new List<Task>(benchCase.Messages);
        var cpu = ProcessCpu.SelfMicroseconds();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await MqttBenchPacer.RunAsync(benchCase.Messages, benchCase.RatePerSecond, async i =>
        {
            if (qos == MqttQualityOfServiceLevel.AtMostOnce)
            {
                await publisher.PublishAsync(Message(benchCase.Topic, i, qos), cancellationToken);
                return;
            }
            // MQTTnet's PublishAsync returns when the PUBACK arrives: a window of 20 keeps as many in flight as the others.
            await window.WaitAsync(cancellationToken);
            acknowledged.Add(PublishAndReleaseAsync(publisher, Message(benchCase.Topic, i, qos), window, cancellationToken));
        }, cancellationToken);
        await receiver.WaitAllAsync(Name, TimeSpan.FromMinutes(2), cancellationToken);
        var elapsed = clock.Elapsed;
        await Task.WhenAll(acknowledged);
        var cpuUsed = ProcessCpu.SelfMicroseconds() - cpu;
        await publisher.DisconnectAsync(cancellationToken: cancellationToken);
        await subscriber.DisconnectAsync(cancellationToken: cancellationToken);
        return new MqttBenchRun(elapsed, receiver.LatenciesMs, cpuUsed);
    }

    private static async Task PublishAndReleaseAsync(IMqttClient publisher, MqttApplicationMessage message, SemaphoreSlim window, CancellationToken cancellationToken)
    {
        try
        {
            var result = await publisher.PublishAsync(message, cancellationToken);
            if (!result.IsSuccess) throw new InvalidOperationException($"PUBACK reason {result.ReasonCode}");
        }
        finally
        {
            window.Release();
        }
    }

    private static MqttApplicationMessage Message(string topic, int sequence, MqttQualityOfServiceLevel qos) =>
        new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(MqttBenchPayload.Create(sequence)).WithQualityOfServiceLevel(qos).Build();

    private MqttClientOptions Options(MqttClientFactory factory, MqttBenchCase benchCase, string clientId) =>
        factory.CreateClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", benchCase.Port)
            .WithClientId(clientId)
            .WithCleanSession(true)
            .WithProtocolVersion(version)
            .Build();
}
