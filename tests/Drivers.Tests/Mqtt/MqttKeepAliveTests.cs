using System.Buffers;
using Gateway.Drivers.Mqtt;
using Gateway.Drivers.Mqtt.Codec;
using Gateway.Drivers.Mqtt.Packets;
using Gateway.Testing;

namespace Gateway.Drivers.Tests.Mqtt;

/// <summary>Keep-alive driven by a fake clock over an in-memory channel: when PINGREQ goes out, and what a silent broker costs.</summary>
public sealed class MqttKeepAliveTests
{
    private readonly MqttPacketCodec _codec = new();

    private async Task<MqttPacket> ReadAsync(InMemoryMqttChannel server)
    {
        var buffer = new byte[1024];
        var filled = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        while (true)
        {
            if (filled > 0 && _codec.TryDecode(buffer.AsSpan(0, filled), out var packet, out _) == OperationStatus.Done) return packet!;
            filled += await server.ReadAsync(buffer.AsMemory(filled), timeout.Token);
        }
    }

    private async Task WriteAsync(InMemoryMqttChannel server, MqttPacket packet)
    {
        var buffer = new ArrayBufferWriter<byte>();
        _codec.Encode(packet, buffer);
        await server.WriteAsync(buffer.WrittenMemory);
    }

    [Fact]
    public async Task Idle_client_pings_and_a_broker_that_never_answers_is_given_up()
    {
        var clock = new ManualTimeProvider();
        var channels = new InMemoryChannelFactory();
        await using var client = new MqttClient(new MqttClientOptions
        {
            ClientId = "kept-alive",
            KeepAlive = TimeSpan.FromSeconds(10),
            Reconnect = new MqttReconnectOptions { Enabled = false },
        }, clock, channelFactory: channels);
        var down = new TaskCompletionSource<MqttConnectionStateChangedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.ConnectionStateChanged += (_, e) => { if (e.State == MqttConnectionState.Disconnected) down.TrySetResult(e); };

        var connecting = client.ConnectAsync();
        var server = await channels.ServerEnds.Reader.ReadAsync();
        var connect = Assert.IsType<MqttConnectPacket>(await ReadAsync(server));
        Assert.Equal(10, connect.KeepAliveSeconds);
        await WriteAsync(server, new MqttConnAckPacket(false, MqttConnectReturnCode.Accepted));
        await connecting;

        clock.Advance(TimeSpan.FromSeconds(2.5)); // idle 2.5 s: nothing yet
        clock.Advance(TimeSpan.FromSeconds(2.5)); // idle 5 s = half the keep-alive: ping
        Assert.IsType<MqttPingReqPacket>(await ReadAsync(server));
        await WriteAsync(server, MqttPingRespPacket.Instance);
        await WaitForAsync(() => client.PingResponsesReceived == 1);

        // The next ping goes unanswered: one keep-alive later the connection is declared dead.
        for (var i = 0; i < 2; i++) clock.Advance(TimeSpan.FromSeconds(2.5));
        Assert.IsType<MqttPingReqPacket>(await ReadAsync(server));
        for (var i = 0; i < 3; i++) clock.Advance(TimeSpan.FromSeconds(2.5));
        Assert.False(down.Task.IsCompleted, "gave up before a whole keep-alive passed without PINGRESP");
        clock.Advance(TimeSpan.FromSeconds(2.5));
        var result = await down.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Contains("no PINGRESP", result.Reason!.Message);
    }

    [Fact]
    public async Task A_busy_client_sends_no_ping()
    {
        var clock = new ManualTimeProvider();
        var channels = new InMemoryChannelFactory();
        await using var client = new MqttClient(new MqttClientOptions { ClientId = "busy", KeepAlive = TimeSpan.FromSeconds(10) }, clock, channelFactory: channels);
        var connecting = client.ConnectAsync();
        var server = await channels.ServerEnds.Reader.ReadAsync();
        await ReadAsync(server);
        await WriteAsync(server, new MqttConnAckPacket(false, MqttConnectReturnCode.Accepted));
        await connecting;
        for (var i = 0; i < 8; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(2));
            await client.PublishAsync("busy/power_kw", "1"u8.ToArray(), MqttQos.AtMostOnce, false);
            Assert.IsType<MqttPublishPacket>(await ReadAsync(server));
        }
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++) await Task.Delay(10);
        Assert.True(condition());
    }
}
