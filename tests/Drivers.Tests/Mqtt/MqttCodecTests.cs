using System.Buffers;
using Gateway.Drivers.Mqtt;
using Gateway.Drivers.Mqtt.Codec;
using Gateway.Drivers.Mqtt.Packets;

namespace Gateway.Drivers.Tests.Mqtt;

/// <summary>Exact byte sequences from MQTT 3.1.1, both directions.</summary>
public sealed class MqttCodecTests
{
    private readonly MqttPacketCodec _codec = new();

    private static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", ""));

    private byte[] Encode(MqttPacket packet)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var written = _codec.Encode(packet, buffer);
        Assert.Equal(buffer.WrittenCount, written);
        return buffer.WrittenSpan.ToArray();
    }

    private T Decode<T>(byte[] bytes) where T : MqttPacket
    {
        Assert.Equal(OperationStatus.Done, _codec.TryDecode(bytes, out var packet, out var consumed));
        Assert.Equal(bytes.Length, consumed);
        return Assert.IsType<T>(packet);
    }

    [Fact]
    public void Connect_minimal_clean_session()
    {
        var bytes = Encode(new MqttConnectPacket { ClientId = "abc", CleanSession = true, KeepAliveSeconds = 60 });
        Assert.Equal(Hex("10 0F 00 04 4D 51 54 54 04 02 00 3C 00 03 61 62 63"), bytes);
        var back = Decode<MqttConnectPacket>(bytes);
        Assert.Equal("abc", back.ClientId);
        Assert.True(back.CleanSession);
        Assert.Equal(60, back.KeepAliveSeconds);
    }

    [Fact]
    public void Connect_with_will_user_and_password_in_spec_order()
    {
        var packet = new MqttConnectPacket
        {
            ClientId = "gw",
            CleanSession = false,
            KeepAliveSeconds = 10,
            UserName = "u",
            Password = "pw"u8.ToArray(),
            Will = new MqttWillMessage("s/gw", "off"u8.ToArray(), MqttQos.AtLeastOnce, Retain: true),
        };
        // flags: user 0x80 | password 0x40 | will retain 0x20 | will QoS 1 0x08 | will 0x04 = 0xEC
        var expected = Hex("10 20 00 04 4D 51 54 54 04 EC 00 0A 00 02 67 77 00 04 73 2F 67 77 00 03 6F 66 66 00 01 75 00 02 70 77");
        Assert.Equal(expected, Encode(packet));
        var back = Decode<MqttConnectPacket>(expected);
        Assert.Equal("s/gw", back.Will!.Topic);
        Assert.Equal("off"u8.ToArray(), back.Will.Payload.ToArray());
        Assert.True(back.Will.Retain);
        Assert.Equal(MqttQos.AtLeastOnce, back.Will.Qos);
        Assert.Equal("u", back.UserName);
        Assert.Equal("pw"u8.ToArray(), back.Password!.Value.ToArray());
        Assert.False(back.CleanSession);
    }

    [Fact]
    public void Connect_password_without_user_is_refused_citing_the_clause()
    {
        var ex = Assert.Throws<MqttProtocolException>(() => Encode(new MqttConnectPacket { ClientId = "x", Password = "p"u8.ToArray() }));
        Assert.Equal("MQTT-3.1.2-22", ex.Clause);
        // and when a peer sends it: flags 0x42 (password + clean session)
        var decoded = Assert.Throws<MqttProtocolException>(() => _codec.TryDecode(Hex("10 0F 00 04 4D 51 54 54 04 42 00 3C 00 01 78 00 01 70"), out _, out _));
        Assert.Contains("MQTT-3.1.2-22", decoded.Message);
    }

    [Theory]
    [InlineData("20 02 00 00", false, MqttConnectReturnCode.Accepted)]
    [InlineData("20 02 01 00", true, MqttConnectReturnCode.Accepted)]
    [InlineData("20 02 00 04", false, MqttConnectReturnCode.BadUserNameOrPassword)]
    [InlineData("20 02 00 05", false, MqttConnectReturnCode.NotAuthorized)]
    public void ConnAck(string hex, bool sessionPresent, MqttConnectReturnCode code)
    {
        var packet = Decode<MqttConnAckPacket>(Hex(hex));
        Assert.Equal(sessionPresent, packet.SessionPresent);
        Assert.Equal(code, packet.ReturnCode);
        Assert.Equal(Hex(hex), Encode(packet));
    }

    [Theory]
    [InlineData("20 02 01 05", "MQTT-3.2.2-4")]   // session present with a refusal
    [InlineData("20 02 00 06", "MQTT-3.2.2.3")]   // reserved return code
    [InlineData("20 03 00 00 00", "MQTT-2.2.3")]  // remaining length too long
    [InlineData("21 02 00 00", "MQTT-2.2.2-2")]   // reserved flags set
    public void ConnAck_violations(string hex, string clause)
    {
        var ex = Assert.Throws<MqttProtocolException>(() => _codec.TryDecode(Hex(hex), out _, out _));
        Assert.Equal(clause, ex.Clause);
    }

    [Theory]
    [InlineData(MqttQos.AtMostOnce, false, false, (ushort)0, "30 07 00 03 61 2F 62 68 69")]
    [InlineData(MqttQos.AtMostOnce, true, false, (ushort)0, "31 07 00 03 61 2F 62 68 69")]
    [InlineData(MqttQos.AtLeastOnce, false, false, (ushort)10, "32 09 00 03 61 2F 62 00 0A 68 69")]
    [InlineData(MqttQos.AtLeastOnce, true, true, (ushort)10, "3B 09 00 03 61 2F 62 00 0A 68 69")]
    [InlineData(MqttQos.ExactlyOnce, false, false, (ushort)0x1234, "34 09 00 03 61 2F 62 12 34 68 69")]
    public void Publish(MqttQos qos, bool retain, bool duplicate, ushort id, string hex)
    {
        var packet = new MqttPublishPacket { Topic = "a/b", Payload = "hi"u8.ToArray(), Qos = qos, Retain = retain, Duplicate = duplicate, PacketId = id };
        Assert.Equal(Hex(hex), Encode(packet));
        var back = Decode<MqttPublishPacket>(Hex(hex));
        Assert.Equal(("a/b", qos, retain, duplicate, id), (back.Topic, back.Qos, back.Retain, back.Duplicate, back.PacketId));
        Assert.Equal("hi"u8.ToArray(), back.Payload.ToArray());
    }

    [Theory]
    [InlineData("36 09 00 03 61 2F 62 00 0A 68 69", "MQTT-3.3.1-4")] // QoS 3
    [InlineData("38 07 00 03 61 2F 62 68 69", "MQTT-3.3.1-2")]       // DUP on QoS 0
    [InlineData("32 07 00 03 61 2F 62 00 00", "MQTT-2.3.1-1")]       // QoS 1 with id 0
    [InlineData("30 05 00 03 61 2F 2B", "MQTT-3.3.2-2")]             // wildcard in topic name
    [InlineData("30 04 00 03 61 2F", "MQTT-2.2.3")]                  // topic length beyond the packet
    [InlineData("30 04 00 02 C3 28", "MQTT-1.5.3-1")]                // ill-formed UTF-8
    [InlineData("30 04 00 02 61 00", "MQTT-1.5.3-2")]                // U+0000
    public void Publish_violations(string hex, string clause)
    {
        var ex = Assert.Throws<MqttProtocolException>(() => _codec.TryDecode(Hex(hex), out _, out _));
        Assert.Equal(clause, ex.Clause);
        Assert.Contains(clause, ex.Message);
    }

    [Fact]
    public void Subscribe_carries_flags_0010()
    {
        var packet = new MqttSubscribePacket(1, [new MqttTopicSubscription("a/#", MqttQos.AtLeastOnce), new MqttTopicSubscription("+/b", MqttQos.AtMostOnce)]);
        var expected = Hex("82 0E 00 01 00 03 61 2F 23 01 00 03 2B 2F 62 00");
        Assert.Equal(expected, Encode(packet));
        var back = Decode<MqttSubscribePacket>(expected);
        Assert.Equal(2, back.Subscriptions.Count);
        Assert.Equal(new MqttTopicSubscription("a/#", MqttQos.AtLeastOnce), back.Subscriptions[0]);
        var ex = Assert.Throws<MqttProtocolException>(() => _codec.TryDecode(Hex("80 08 00 01 00 03 61 2F 23 01"), out _, out _));
        Assert.Equal("MQTT-3.8.1-1", ex.Clause);
    }

    [Fact]
    public void SubAck_unsubscribe_unsuback()
    {
        var subAck = Decode<MqttSubAckPacket>(Hex("90 05 00 07 00 01 80"));
        Assert.Equal([MqttSubscribeReturnCode.GrantedQos0, MqttSubscribeReturnCode.GrantedQos1, MqttSubscribeReturnCode.Failure], subAck.ReturnCodes);
        Assert.Equal("MQTT-3.9.3-2", Assert.Throws<MqttProtocolException>(() => _codec.TryDecode(Hex("90 03 00 07 03"), out _, out _)).Clause);
        Assert.Equal(Hex("A2 07 00 02 00 03 61 2F 23"), Encode(new MqttUnsubscribePacket(2, ["a/#"])));
        Assert.Equal(2, Decode<MqttUnsubAckPacket>(Hex("B0 02 00 02")).PacketId);
    }

    [Fact]
    public void Id_only_and_empty_packets()
    {
        Assert.Equal(Hex("40 02 00 0A"), Encode(new MqttPubAckPacket(10)));
        Assert.Equal(Hex("50 02 00 0A"), Encode(new MqttPubRecPacket(10)));
        Assert.Equal(Hex("62 02 00 0A"), Encode(new MqttPubRelPacket(10)));
        Assert.Equal(Hex("70 02 00 0A"), Encode(new MqttPubCompPacket(10)));
        Assert.Equal(Hex("C0 00"), Encode(MqttPingReqPacket.Instance));
        Assert.Equal(Hex("D0 00"), Encode(MqttPingRespPacket.Instance));
        Assert.Equal(Hex("E0 00"), Encode(MqttDisconnectPacket.Instance));
        Assert.Equal(10, Decode<MqttPubRelPacket>(Hex("62 02 00 0A")).PacketId);
        Assert.Equal("MQTT-3.6.1-1", Assert.Throws<MqttProtocolException>(() => _codec.TryDecode(Hex("60 02 00 0A"), out _, out _)).Clause);
        Assert.Equal("MQTT-2.2.3", Assert.Throws<MqttProtocolException>(() => _codec.TryDecode(Hex("D0 01 00"), out _, out _)).Clause);
        Assert.Equal("MQTT-2.2.1", Assert.Throws<MqttProtocolException>(() => _codec.TryDecode(Hex("F0 00"), out _, out _)).Clause);
    }

    [Theory]
    [InlineData(0, "00")]
    [InlineData(127, "7F")]
    [InlineData(128, "80 01")]
    [InlineData(16_383, "FF 7F")]
    [InlineData(16_384, "80 80 01")]
    [InlineData(2_097_151, "FF FF 7F")]
    [InlineData(2_097_152, "80 80 80 01")]
    [InlineData(268_435_455, "FF FF FF 7F")]
    public void Remaining_length_boundaries(int value, string hex)
    {
        Span<byte> buffer = stackalloc byte[4];
        var written = MqttRemainingLength.Write(buffer, value);
        Assert.Equal(Hex(hex), buffer[..written].ToArray());
        Assert.Equal(OperationStatus.Done, MqttRemainingLength.TryRead(Hex(hex), out var read, out var used));
        Assert.Equal((value, written), (read, used));
    }

    [Fact]
    public void Remaining_length_fifth_byte_is_a_protocol_violation()
    {
        var ex = Assert.Throws<MqttProtocolException>(() => MqttRemainingLength.TryRead(Hex("FF FF FF FF 7F"), out _, out _));
        Assert.Equal("MQTT-2.2.3", ex.Clause);
        var decoding = Assert.Throws<MqttProtocolException>(() => _codec.TryDecode(Hex("30 FF FF FF FF 7F"), out _, out _));
        Assert.Contains("fifth byte", decoding.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => MqttRemainingLength.SizeOf(268_435_456));
    }

    [Theory]
    [InlineData(127)]
    [InlineData(128)]
    [InlineData(16_383)]
    [InlineData(16_384)]
    public void Publish_at_remaining_length_boundaries_round_trips(int remaining)
    {
        // topic "t" (3 bytes with its length) + payload fills the rest of a QoS 0 PUBLISH
        var payload = new byte[remaining - 3];
        Random.Shared.NextBytes(payload);
        var bytes = Encode(new MqttPublishPacket { Topic = "t", Payload = payload });
        Assert.Equal(1 + MqttRemainingLength.SizeOf(remaining) + remaining, bytes.Length);
        Assert.Equal(OperationStatus.NeedMoreData, _codec.TryDecode(bytes.AsSpan(0, bytes.Length - 1), out _, out _));
        Assert.Equal(payload, Decode<MqttPublishPacket>(bytes).Payload.ToArray());
    }

    [Fact]
    public void Announced_size_above_the_limit_is_refused_before_the_body_arrives()
    {
        var small = new MqttPacketCodec(maximumPacketSize: 1024);
        var ex = Assert.Throws<MqttProtocolException>(() => small.TryDecode(Hex("30 80 80 01"), out _, out _));
        Assert.Contains("maximum packet size 1024", ex.Message);
    }

    [Fact]
    public void Incomplete_header_needs_more_data()
    {
        Assert.Equal(OperationStatus.NeedMoreData, _codec.TryDecode(Hex("30"), out _, out _));
        Assert.Equal(OperationStatus.NeedMoreData, _codec.TryDecode(Hex("30 80"), out _, out _));
        Assert.Equal(OperationStatus.NeedMoreData, _codec.TryDecode(Hex("32 09 00 03 61"), out _, out _));
    }
}
