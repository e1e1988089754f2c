using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Gateway.Drivers.Mqtt;
using Gateway.Drivers.Mqtt.Packets;

namespace Gateway.Bench;

/// <summary>
/// Messages per second through a real mosquitto, our client side by side with mosquitto's own clients
/// (mosquitto_pub -l fed the same lines, mosquitto_sub -C N), same count, payload size and in-flight window (20).
/// <c>Publish</c>: one publisher sends N messages (QoS 1: until all are acknowledged).
/// <c>PublishAndReceive</c>: a persistent-session subscriber and a publisher run together until the subscriber has all N.
/// Op/s is messages per second (each invocation moves <see cref="MessageCount"/> messages).
/// </summary>
[Config(typeof(MqttThroughputConfig))]
public class MqttThroughputBenchmarks
{
    /// <summary>Messages moved per invocation.</summary>
    public const int MessageCount = 20_000;

    /// <summary>Payload bytes per message (a line of text, so mosquitto_pub -l sends the same bytes).</summary>
    public const int PayloadBytes = 64;

    private const string PublishTopic = "bench/publish-only";
    private const string EndToEndTopic = "bench/end-to-end";
    private MqttBenchBroker _broker = null!;
    private byte[] _payload = null!;
    private string _linesFile = null!;

    /// <summary>Which clients move the messages.</summary>
    [Params("ours", "mosquitto_pub/sub")]
    public string Client { get; set; } = "ours";

    /// <summary>QoS of publication and subscription.</summary>
    [Params(0, 1)]
    public int Qos { get; set; }

    private string SubscriberId => $"bench-sub-{(Client == "ours" ? "ours" : "mosq")}-q{Qos}";

    [GlobalSetup]
    public void Setup()
    {
        _broker = MqttBenchBroker.Start();
        var line = new string('x', PayloadBytes - 8);
        _payload = System.Text.Encoding.ASCII.GetBytes("00000000" + line);
        _linesFile = Path.Combine(_broker.Directory, "lines.txt");
        File.WriteAllLines(_linesFile, Enumerable.Range(0, MessageCount).Select(i => i.ToString("D8") + line));

        // Create the subscriber's persistent session, so messages published before it reconnects are queued for it.
        // Any client can create it; mosquitto_sub does so synchronously, for both kinds of subscriber.
        MqttBenchBroker.Shell($"mosquitto_sub -h 127.0.0.1 -p {_broker.Port} -c -i {SubscriberId} -q {Qos} -t {EndToEndTopic} -E");
    }

    [GlobalCleanup]
    public void Cleanup() => _broker.Dispose();

    [Benchmark(OperationsPerInvoke = MessageCount)]
    public async Task Publish()
    {
        if (Client == "ours") await PublishOursAsync(PublishTopic);
        else MqttBenchBroker.Shell(MosquittoPubCommand(PublishTopic));
    }

    [Benchmark(OperationsPerInvoke = MessageCount)]
    public async Task PublishAndReceive()
    {
        if (Client == "ours")
        {
            await using var subscriber = new MqttClient(Options(SubscriberId, cleanSession: false));
            await subscriber.ConnectAsync();
            var publishing = PublishOursAsync(EndToEndTopic);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var received = 0;
            try
            {
                for (; received < MessageCount; received++) await subscriber.ReceivedMessages.ReadAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"our subscriber received {received} of {MessageCount} messages within 60 s (publisher done: {publishing.IsCompleted})");
            }
            await publishing;
            await subscriber.DisconnectAsync();
        }
        else
        {
            using var subscriber = MqttBenchBroker.ShellAsync(
                $"exec mosquitto_sub -h 127.0.0.1 -p {_broker.Port} -c -i {SubscriberId} -q {Qos} -t {EndToEndTopic} -C {MessageCount} > /dev/null");
            MqttBenchBroker.Shell(MosquittoPubCommand(EndToEndTopic));
            await subscriber.WaitForExitAsync();
            if (subscriber.ExitCode != 0) throw new InvalidOperationException($"mosquitto_sub exited with {subscriber.ExitCode}");
        }
    }

    private string MosquittoPubCommand(string topic) =>
        $"exec mosquitto_pub -h 127.0.0.1 -p {_broker.Port} -q {Qos} -t {topic} -l < {_linesFile}";

    private async Task PublishOursAsync(string topic)
    {
        await using var publisher = new MqttClient(Options($"bench-pub-{Guid.NewGuid():N}", cleanSession: true));
        await publisher.ConnectAsync();
        if (Qos == 0)
        {
            for (var i = 0; i < MessageCount; i++) await publisher.PublishAsync(topic, _payload, MqttQos.AtMostOnce, retain: false);
        }
        else
        {
            // Pipelined like mosquitto_pub: up to 20 in flight, completion when acknowledged.
            var acknowledged = new Task[MessageCount];
            for (var i = 0; i < MessageCount; i++) acknowledged[i] = publisher.PublishAsync(topic, _payload, MqttQos.AtLeastOnce, retain: false);
            await Task.WhenAll(acknowledged);
        }
        await publisher.DisconnectAsync();
    }

    private MqttClientOptions Options(string clientId, bool cleanSession) => new()
    {
        Host = "127.0.0.1",
        Port = _broker.Port,
        ClientId = clientId,
        CleanSession = cleanSession,
        MaxPendingMessages = 2_000,
    };
}

/// <summary>In-process (no per-case build), one warm-up and three measured invocations per case: the machine is shared.</summary>
public sealed class MqttThroughputConfig : ManualConfig
{
    public MqttThroughputConfig()
    {
        AddJob(Job.Dry
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithWarmupCount(1)
            .WithIterationCount(3)
            .WithInvocationCount(1)
            .WithUnrollFactor(1)
            .WithId("mqtt"));
        AddColumn(StatisticColumn.OperationsPerSecond);
        WithOptions(ConfigOptions.DisableOptimizationsValidator);
    }
}
