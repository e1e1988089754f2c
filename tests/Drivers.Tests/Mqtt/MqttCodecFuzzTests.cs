using System.Buffers;
using Gateway.Drivers.Mqtt;
using Gateway.Drivers.Mqtt.Codec;
using Gateway.Drivers.Mqtt.Packets;

namespace Gateway.Drivers.Tests.Mqtt;

/// <summary>
/// The decoder meets random and mutated bytes. Whatever comes in, it returns Done/NeedMoreData or throws
/// <see cref="MqttProtocolException"/>; any other exception would crash a read loop.
/// </summary>
public sealed class MqttCodecFuzzTests
{
    private const int Iterations = 20_000;
    private readonly MqttPacketCodec _codec = new(maximumPacketSize: 64 * 1024);

    [Fact]
    public void Random_bytes_never_crash_the_decoder()
    {
        var random = new Random(4711);
        var outcomes = new int[3];
        for (var i = 0; i < Iterations; i++)
        {
            var bytes = new byte[random.Next(0, 64)];
            random.NextBytes(bytes);
            outcomes[DecodeAll(bytes)]++;
        }
        // The fuzz must exercise every outcome, or it proves nothing.
        Assert.All(outcomes, count => Assert.True(count > 0, $"outcomes done/more/violation = {string.Join("/", outcomes)}"));
    }

    [Fact]
    public void Mutated_valid_packets_never_crash_the_decoder()
    {
        var random = new Random(1883);
        var outcomes = new int[3];
        for (var i = 0; i < Iterations; i++)
        {
            var bytes = ValidPacket(random);
            switch (random.Next(4))
            {
                case 0: // flip bits
                    for (var n = random.Next(1, 4); n > 0; n--) bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                    break;
                case 1: // truncate
                    bytes = bytes[..random.Next(bytes.Length)];
                    break;
                case 2: // overwrite a byte
                    bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                    break;
                default: // splice garbage in
                    var at = random.Next(bytes.Length);
                    var garbage = new byte[random.Next(1, 6)];
                    random.NextBytes(garbage);
                    bytes = [.. bytes[..at], .. garbage, .. bytes[at..]];
                    break;
            }
            outcomes[DecodeAll(bytes)]++;
        }
        Assert.All(outcomes, count => Assert.True(count > 0, $"outcomes done/more/violation = {string.Join("/", outcomes)}"));
    }

    [Fact]
    public void Valid_packets_round_trip()
    {
        var random = new Random(42);
        for (var i = 0; i < 2_000; i++)
        {
            var bytes = ValidPacket(random);
            Assert.Equal(OperationStatus.Done, _codec.TryDecode(bytes, out var packet, out var consumed));
            Assert.Equal(bytes.Length, consumed);
            var again = new ArrayBufferWriter<byte>();
            _codec.Encode(packet!, again);
            Assert.Equal(bytes, again.WrittenSpan.ToArray());
        }
    }

    /// <summary>0 = decoded, 1 = needs more data, 2 = protocol violation.</summary>
    private int DecodeAll(byte[] bytes)
    {
        var offset = 0;
        try
        {
            while (offset < bytes.Length)
            {
                if (_codec.TryDecode(bytes.AsSpan(offset), out _, out var consumed) == OperationStatus.NeedMoreData) return 1;
                Assert.True(consumed > 0);
                offset += consumed;
            }
            return 0;
        }
        catch (MqttProtocolException ex)
        {
            Assert.Matches(@"\[MQTT-[0-9.\-]+\]$", ex.Message);
            return 2;
        }
    }

    private byte[] ValidPacket(Random random)
    {
        string Topic() => string.Join('/', Enumerable.Range(0, random.Next(1, 4)).Select(_ => "abcé€x"[random.Next(6)].ToString() + random.Next(100)));
        byte[] Bytes(int max) { var b = new byte[random.Next(max)]; random.NextBytes(b); return b; }
        ushort Id() => (ushort)random.Next(1, 65536);
        var qos = (MqttQos)random.Next(3);
        MqttPacket packet = random.Next(12) switch
        {
            0 => new MqttConnectPacket
            {
                ClientId = Topic(),
                CleanSession = true,
                KeepAliveSeconds = (ushort)random.Next(65536),
                UserName = random.Next(2) == 0 ? null : "user",
                Will = random.Next(2) == 0 ? null : new MqttWillMessage(Topic(), Bytes(20), qos, random.Next(2) == 0),
            },
            1 => new MqttConnAckPacket(false, (MqttConnectReturnCode)random.Next(6)),
            2 or 3 or 4 => new MqttPublishPacket
            {
                Topic = Topic(), Payload = Bytes(300), Qos = qos, Retain = random.Next(2) == 0,
                Duplicate = qos != MqttQos.AtMostOnce && random.Next(2) == 0, PacketId = qos == MqttQos.AtMostOnce ? (ushort)0 : Id(),
            },
            5 => new MqttPubAckPacket(Id()),
            6 => new MqttPubRelPacket(Id()),
            7 => new MqttSubscribePacket(Id(), [new MqttTopicSubscription(Topic() + "/#", qos), new MqttTopicSubscription("+/" + Topic(), qos)]),
            8 => new MqttSubAckPacket(Id(), [MqttSubscribeReturnCode.GrantedQos1, MqttSubscribeReturnCode.Failure]),
            9 => new MqttUnsubscribePacket(Id(), [Topic()]),
            10 => new MqttUnsubAckPacket(Id()),
            _ => MqttPingRespPacket.Instance,
        };
        var buffer = new ArrayBufferWriter<byte>();
        _codec.Encode(packet, buffer);
        return buffer.WrittenSpan.ToArray();
    }
}
