using System.Collections.Concurrent;
using System.Diagnostics;
using Gateway.Drivers.Mqtt;
using static Gateway.Drivers.Tests.Mqtt.MqttTestSupport;

namespace Gateway.Drivers.Tests.Mqtt;

/// <summary>Our client talking to mosquitto's own command-line clients through mosquitto.</summary>
[Trait(PeerTraits.Name, PeerTraits.Mosquitto)]
public sealed class MqttInteropTests(SharedMosquitto shared) : IClassFixture<SharedMosquitto>
{
    private MosquittoBroker Broker => shared.Broker;

    [Fact]
    public async Task Mosquitto_pub_to_our_subscriber_delivers_exact_payloads()
    {
        var root = UniqueId("interop-in");
        var received = new ConcurrentQueue<MqttApplicationMessage>();
        await using var subscriber = await ConnectedAsync(Options(Broker, UniqueId("ours")));
        await subscriber.SubscribeAsync($"{root}/#", MqttQos.AtLeastOnce, Collect(received));

        var binary = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        var binaryFile = Path.Combine(Broker.Directory, $"{root}.bin");
        await File.WriteAllBytesAsync(binaryFile, binary);
        var port = Broker.Port;
        await MosquittoBroker.RunAsync("/usr/bin/mosquitto_pub", $"-h 127.0.0.1 -p {port} -q 1 -t {root}/text -m \"setpoint 7.4 kW é\"");
        await MosquittoBroker.RunAsync("/usr/bin/mosquitto_pub", $"-h 127.0.0.1 -p {port} -q 0 -t {root}/binary -f {binaryFile}");
        await MosquittoBroker.RunAsync("/usr/bin/mosquitto_pub", $"-h 127.0.0.1 -p {port} -q 2 -t {root}/empty -n");

        await Waits.UntilAsync(() => received.Count >= 3, () => $"{received.Count} of 3", TimeSpan.FromSeconds(5));
        var byTopic = received.ToDictionary(m => m.Topic);
        Assert.Equal("setpoint 7.4 kW é", Text(byTopic[$"{root}/text"]));
        Assert.Equal(MqttQos.AtLeastOnce, byTopic[$"{root}/text"].Qos);
        Assert.Equal(binary, byTopic[$"{root}/binary"].Payload.ToArray());
        Assert.Equal(0, byTopic[$"{root}/empty"].Payload.Length);
        Assert.Equal(MqttQos.AtLeastOnce, byTopic[$"{root}/empty"].Qos); // QoS 2 downgraded to the subscription's 1
    }

    [Fact]
    public async Task Our_publisher_to_mosquitto_sub_delivers_exact_payloads()
    {
        var topic = UniqueId("interop-out");
        // stdbuf: mosquitto_sub's debug lines are block-buffered on a pipe, and we wait for its SUBACK line.
        var start = new ProcessStartInfo("/usr/bin/stdbuf",
            ["-oL", "/usr/bin/mosquitto_sub", "-h", "127.0.0.1", "-p", Broker.Port.ToString(), "-q", "1", "-t", topic, "-C", "3", "-d", "-F", "MSG %q %x"])
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        using var sub = Process.Start(start)!;
        var lines = new ConcurrentQueue<string>();
        var subscribed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        sub.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lines.Enqueue(e.Data);
            if (e.Data.Contains("received SUBACK")) subscribed.TrySetResult();
        };
        sub.BeginOutputReadLine();
        try
        {
            await subscribed.Task.WaitAsync(TimeSpan.FromSeconds(5));
            await using var publisher = await ConnectedAsync(Options(Broker, UniqueId("ours")));
            await publisher.PublishAsync(topic, Utf8("power_kw=-3.5"), MqttQos.AtLeastOnce, false);
            await publisher.PublishAsync(topic, new byte[] { 0x00, 0xFF, 0x10, 0x80 }, MqttQos.AtMostOnce, false);
            await publisher.PublishAsync(topic, Utf8("qos two"), MqttQos.ExactlyOnce, false);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await sub.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            if (!sub.HasExited) sub.Kill();
        }
        var messages = lines.Where(l => l.StartsWith("MSG ")).ToList();
        Assert.Equal(new[]
        {
            "MSG 1 " + Convert.ToHexStringLower(Utf8("power_kw=-3.5")),
            "MSG 0 00ff1080",
            "MSG 1 " + Convert.ToHexStringLower(Utf8("qos two")),
        }, messages);
    }
}
