using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Gateway.Drivers.Mqtt.Packets;

namespace Gateway.Drivers.Mqtt.Codec;

/// <summary>
/// MQTT 3.1.1 codec for all fourteen control packets. Decoding validates everything the spec makes
/// mandatory for a receiver and throws <see cref="MqttProtocolException"/> citing the clause; it never
/// throws anything else for any input.
/// </summary>
public sealed class MqttPacketCodec : IMqttPacketCodec
{
    private const int MaxStringBytes = ushort.MaxValue;
    private static readonly byte[] ProtocolName = "MQTT"u8.ToArray();

    /// <summary>Create a codec.</summary>
    /// <param name="maximumPacketSize">Largest whole packet (fixed header included) accepted when decoding;
    /// a larger announced remaining length is refused before its bytes arrive.</param>
    public MqttPacketCodec(int maximumPacketSize = MqttCodecLimits.MaxPacketSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maximumPacketSize, 2);
        MaximumPacketSize = maximumPacketSize;
    }

    /// <summary>Largest whole packet accepted when decoding, in bytes.</summary>
    public int MaximumPacketSize { get; }

    /// <inheritdoc />
    public int Encode(MqttPacket packet, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(packet);
        ArgumentNullException.ThrowIfNull(output);
        return packet switch
        {
            MqttConnectPacket p => EncodeConnect(p, output),
            MqttConnAckPacket p => WriteFixed(output, 0x20, [(byte)(p.SessionPresent ? 1 : 0), (byte)p.ReturnCode]),
            MqttPublishPacket p => EncodePublish(p, output),
            MqttPubAckPacket p => WriteIdOnly(output, 0x40, p.PacketId),
            MqttPubRecPacket p => WriteIdOnly(output, 0x50, p.PacketId),
            MqttPubRelPacket p => WriteIdOnly(output, 0x62, p.PacketId),
            MqttPubCompPacket p => WriteIdOnly(output, 0x70, p.PacketId),
            MqttSubscribePacket p => EncodeSubscribe(p, output),
            MqttSubAckPacket p => EncodeSubAck(p, output),
            MqttUnsubscribePacket p => EncodeUnsubscribe(p, output),
            MqttUnsubAckPacket p => WriteIdOnly(output, 0xB0, p.PacketId),
            MqttPingReqPacket => WriteFixed(output, 0xC0, []),
            MqttPingRespPacket => WriteFixed(output, 0xD0, []),
            MqttDisconnectPacket => WriteFixed(output, 0xE0, []),
            _ => throw new ArgumentException($"unknown packet type {packet.GetType().Name}", nameof(packet)),
        };
    }

    /// <inheritdoc />
    public OperationStatus TryDecode(ReadOnlySpan<byte> input, out MqttPacket? packet, out int consumed)
    {
        packet = null;
        consumed = 0;
        if (input.Length < 2) return OperationStatus.NeedMoreData;
        if (MqttRemainingLength.TryRead(input[1..], out var remaining, out var lengthBytes) == OperationStatus.NeedMoreData)
            return OperationStatus.NeedMoreData;
        var total = 1 + lengthBytes + remaining;
        if (total > MaximumPacketSize)
            throw new MqttProtocolException(
                $"packet announces remaining length {remaining} ({total} bytes in all), above the maximum packet size {MaximumPacketSize} accepted",
                "MQTT-2.2.3");
        var type = (MqttPacketType)(input[0] >> 4);
        var flags = input[0] & 0x0F;
        // The header is checked before waiting for the body so garbage is refused at once, not after megabytes.
        CheckFixedHeaderFlags(type, flags);
        if (input.Length < total) return OperationStatus.NeedMoreData;
        var body = input.Slice(1 + lengthBytes, remaining);
        packet = type switch
        {
            MqttPacketType.Connect => DecodeConnect(body),
            MqttPacketType.ConnAck => DecodeConnAck(body),
            MqttPacketType.Publish => DecodePublish(flags, body),
            MqttPacketType.PubAck => new MqttPubAckPacket(DecodeIdOnly(body, "PUBACK")),
            MqttPacketType.PubRec => new MqttPubRecPacket(DecodeIdOnly(body, "PUBREC")),
            MqttPacketType.PubRel => new MqttPubRelPacket(DecodeIdOnly(body, "PUBREL")),
            MqttPacketType.PubComp => new MqttPubCompPacket(DecodeIdOnly(body, "PUBCOMP")),
            MqttPacketType.Subscribe => DecodeSubscribe(body),
            MqttPacketType.SubAck => DecodeSubAck(body),
            MqttPacketType.Unsubscribe => DecodeUnsubscribe(body),
            MqttPacketType.UnsubAck => new MqttUnsubAckPacket(DecodeIdOnly(body, "UNSUBACK")),
            MqttPacketType.PingReq => DecodeEmpty(body, "PINGREQ", MqttPingReqPacket.Instance),
            MqttPacketType.PingResp => DecodeEmpty(body, "PINGRESP", MqttPingRespPacket.Instance),
            MqttPacketType.Disconnect => DecodeEmpty(body, "DISCONNECT", MqttDisconnectPacket.Instance),
            _ => throw new InvalidOperationException("unreachable: the type was checked with the flags"),
        };
        consumed = total;
        return OperationStatus.Done;
    }

    private static void CheckFixedHeaderFlags(MqttPacketType type, int flags)
    {
        switch (type)
        {
            case 0 or (MqttPacketType)15:
                throw new MqttProtocolException($"packet type {(int)type} is reserved and never sent", "MQTT-2.2.1");
            case MqttPacketType.Publish:
                return; // DUP/QoS/RETAIN are checked while decoding the body
            case MqttPacketType.PubRel when flags != 0b0010:
                throw new MqttProtocolException($"PUBREL fixed-header flags must be 0b0010, got 0b{Convert.ToString(flags, 2).PadLeft(4, '0')}", "MQTT-3.6.1-1");
            case MqttPacketType.Subscribe when flags != 0b0010:
                throw new MqttProtocolException($"SUBSCRIBE fixed-header flags must be 0b0010, got 0b{Convert.ToString(flags, 2).PadLeft(4, '0')}", "MQTT-3.8.1-1");
            case MqttPacketType.Unsubscribe when flags != 0b0010:
                throw new MqttProtocolException($"UNSUBSCRIBE fixed-header flags must be 0b0010, got 0b{Convert.ToString(flags, 2).PadLeft(4, '0')}", "MQTT-3.10.1-1");
            case MqttPacketType.PubRel or MqttPacketType.Subscribe or MqttPacketType.Unsubscribe:
                return;
            default:
                if (flags != 0)
                    throw new MqttProtocolException($"{type.ToString().ToUpperInvariant()} fixed-header flags are reserved and must be 0, got 0b{Convert.ToString(flags, 2).PadLeft(4, '0')}", "MQTT-2.2.2-2");
                return;
        }
    }

    // ---- encoding ----

    private static int EncodeConnect(MqttConnectPacket p, IBufferWriter<byte> output)
    {
        if (p.Password is not null && p.UserName is null)
            throw new MqttProtocolException("CONNECT: a password requires a user name", "MQTT-3.1.2-22");
        if (p.ClientId.Length == 0 && !p.CleanSession)
            throw new MqttProtocolException("CONNECT: an empty client id requires clean session = true", "MQTT-3.1.3-7");
        var clientId = Utf8(p.ClientId, "client id");
        var willTopic = p.Will is null ? null : Utf8(p.Will.Topic, "will topic");
        var userName = p.UserName is null ? null : Utf8(p.UserName, "user name");
        if (p.Will is { } w && w.Payload.Length > MaxStringBytes)
            throw new ArgumentException($"will payload is {w.Payload.Length} bytes; at most {MaxStringBytes}");
        if (p.Password is { } pw && pw.Length > MaxStringBytes)
            throw new ArgumentException($"password is {pw.Length} bytes; at most {MaxStringBytes}");

        var bodyLength = 10 + 2 + clientId.Length;
        byte flags = 0;
        if (p.CleanSession) flags |= 0x02;
        if (p.Will is { } will)
        {
            flags |= (byte)(0x04 | ((int)will.Qos << 3) | (will.Retain ? 0x20 : 0));
            bodyLength += 2 + willTopic!.Length + 2 + will.Payload.Length;
        }
        if (userName is not null) { flags |= 0x80; bodyLength += 2 + userName.Length; }
        if (p.Password is { } password) { flags |= 0x40; bodyLength += 2 + password.Length; }

        var span = BeginPacket(output, 0x10, bodyLength, out var total, out var pos);
        WriteBinary(span, ref pos, ProtocolName);
        span[pos++] = p.ProtocolLevel;
        span[pos++] = flags;
        BinaryPrimitives.WriteUInt16BigEndian(span[pos..], p.KeepAliveSeconds); pos += 2;
        WriteBinary(span, ref pos, clientId);
        if (p.Will is { } will2)
        {
            WriteBinary(span, ref pos, willTopic);
            WriteBinary(span, ref pos, will2.Payload.Span);
        }
        if (userName is not null) WriteBinary(span, ref pos, userName);
        if (p.Password is { } password2) WriteBinary(span, ref pos, password2.Span);
        output.Advance(total);
        return total;
    }

    private static int EncodePublish(MqttPublishPacket p, IBufferWriter<byte> output)
    {
        if ((int)p.Qos > 2) throw new MqttProtocolException($"PUBLISH: QoS {(int)p.Qos} does not exist", "MQTT-3.3.1-4");
        if (p.Qos == MqttQos.AtMostOnce && p.Duplicate) throw new MqttProtocolException("PUBLISH: DUP must be 0 for QoS 0", "MQTT-3.3.1-2");
        if (p.Qos != MqttQos.AtMostOnce && p.PacketId == 0) throw new MqttProtocolException("PUBLISH: QoS 1 and 2 need a non-zero packet id", "MQTT-2.3.1-1");
        MqttTopic.ValidateTopicName(p.Topic);
        var topic = Utf8(p.Topic, "topic");
        var bodyLength = 2 + topic.Length + (p.Qos == MqttQos.AtMostOnce ? 0 : 2) + p.Payload.Length;
        var header = (byte)(0x30 | (p.Duplicate ? 0x08 : 0) | ((int)p.Qos << 1) | (p.Retain ? 1 : 0));
        var span = BeginPacket(output, header, bodyLength, out var total, out var pos);
        WriteBinary(span, ref pos, topic);
        if (p.Qos != MqttQos.AtMostOnce) { BinaryPrimitives.WriteUInt16BigEndian(span[pos..], p.PacketId); pos += 2; }
        p.Payload.Span.CopyTo(span[pos..]);
        output.Advance(total);
        return total;
    }

    private static int EncodeSubscribe(MqttSubscribePacket p, IBufferWriter<byte> output)
    {
        if (p.PacketId == 0) throw new MqttProtocolException("SUBSCRIBE needs a non-zero packet id", "MQTT-2.3.1-1");
        if (p.Subscriptions.Count == 0) throw new MqttProtocolException("SUBSCRIBE needs at least one topic filter", "MQTT-3.8.3-3");
        var filters = new byte[p.Subscriptions.Count][];
        var bodyLength = 2;
        for (var i = 0; i < filters.Length; i++)
        {
            MqttTopic.ValidateTopicFilter(p.Subscriptions[i].TopicFilter);
            if ((int)p.Subscriptions[i].Qos > 2) throw new MqttProtocolException($"SUBSCRIBE: QoS {(int)p.Subscriptions[i].Qos} does not exist", "MQTT-3-8.3-4");
            filters[i] = Utf8(p.Subscriptions[i].TopicFilter, "topic filter");
            bodyLength += 2 + filters[i].Length + 1;
        }
        var span = BeginPacket(output, 0x82, bodyLength, out var total, out var pos);
        BinaryPrimitives.WriteUInt16BigEndian(span[pos..], p.PacketId); pos += 2;
        for (var i = 0; i < filters.Length; i++)
        {
            WriteBinary(span, ref pos, filters[i]);
            span[pos++] = (byte)p.Subscriptions[i].Qos;
        }
        output.Advance(total);
        return total;
    }

    private static int EncodeSubAck(MqttSubAckPacket p, IBufferWriter<byte> output)
    {
        var span = BeginPacket(output, 0x90, 2 + p.ReturnCodes.Count, out var total, out var pos);
        BinaryPrimitives.WriteUInt16BigEndian(span[pos..], p.PacketId); pos += 2;
        foreach (var code in p.ReturnCodes) span[pos++] = (byte)code;
        output.Advance(total);
        return total;
    }

    private static int EncodeUnsubscribe(MqttUnsubscribePacket p, IBufferWriter<byte> output)
    {
        if (p.PacketId == 0) throw new MqttProtocolException("UNSUBSCRIBE needs a non-zero packet id", "MQTT-2.3.1-1");
        if (p.TopicFilters.Count == 0) throw new MqttProtocolException("UNSUBSCRIBE needs at least one topic filter", "MQTT-3.10.3-2");
        var filters = new byte[p.TopicFilters.Count][];
        var bodyLength = 2;
        for (var i = 0; i < filters.Length; i++)
        {
            MqttTopic.ValidateTopicFilter(p.TopicFilters[i]);
            filters[i] = Utf8(p.TopicFilters[i], "topic filter");
            bodyLength += 2 + filters[i].Length;
        }
        var span = BeginPacket(output, 0xA2, bodyLength, out var total, out var pos);
        BinaryPrimitives.WriteUInt16BigEndian(span[pos..], p.PacketId); pos += 2;
        foreach (var filter in filters) WriteBinary(span, ref pos, filter);
        output.Advance(total);
        return total;
    }

    private static int WriteIdOnly(IBufferWriter<byte> output, byte header, ushort packetId)
    {
        if (packetId == 0) throw new MqttProtocolException("acknowledgements carry the non-zero id of the packet they answer", "MQTT-2.3.1-1");
        Span<byte> body = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(body, packetId);
        return WriteFixed(output, header, body);
    }

    private static int WriteFixed(IBufferWriter<byte> output, byte header, ReadOnlySpan<byte> body)
    {
        var span = BeginPacket(output, header, body.Length, out var total, out var pos);
        body.CopyTo(span[pos..]);
        output.Advance(total);
        return total;
    }

    private static Span<byte> BeginPacket(IBufferWriter<byte> output, byte header, int bodyLength, out int total, out int position)
    {
        if (bodyLength > MqttRemainingLength.MaxValue)
            throw new MqttProtocolException($"packet body of {bodyLength} bytes exceeds the largest remaining length {MqttRemainingLength.MaxValue}", "MQTT-2.2.3");
        total = 1 + MqttRemainingLength.SizeOf(bodyLength) + bodyLength;
        var span = output.GetSpan(total);
        span[0] = header;
        position = 1 + MqttRemainingLength.Write(span[1..], bodyLength);
        return span;
    }

    private static void WriteBinary(Span<byte> span, ref int position, ReadOnlySpan<byte> value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(span[position..], (ushort)value.Length);
        value.CopyTo(span[(position + 2)..]);
        position += 2 + value.Length;
    }

    private static byte[] Utf8(string value, string field)
    {
        if (value.Contains('\0')) throw new MqttProtocolException($"{field} contains the null character U+0000", "MQTT-1.5.3-2");
        var bytes = Encoding.UTF8.GetBytes(value);
        if (bytes.Length > MaxStringBytes)
            throw new MqttProtocolException($"{field} is {bytes.Length} bytes of UTF-8; a string holds at most {MaxStringBytes}", "MQTT-1.5.3");
        return bytes;
    }

    // ---- decoding ----

    private static MqttConnectPacket DecodeConnect(ReadOnlySpan<byte> body)
    {
        var reader = new MqttBodyReader(body, "CONNECT");
        var name = reader.ReadString("protocol name");
        var level = reader.ReadByte("protocol level");
        if (name != "MQTT")
            throw new MqttProtocolException($"CONNECT: protocol name must be \"MQTT\", got \"{name}\"", "MQTT-3.1.2-1");
        var flags = reader.ReadByte("connect flags");
        if ((flags & 0x01) != 0) throw new MqttProtocolException("CONNECT: the reserved connect flag (bit 0) must be 0", "MQTT-3.1.2-3");
        var hasWill = (flags & 0x04) != 0;
        var willQos = (flags >> 3) & 0x03;
        var willRetain = (flags & 0x20) != 0;
        if (!hasWill && (willQos != 0 || willRetain))
            throw new MqttProtocolException("CONNECT: will QoS and will retain must be 0 without a will", "MQTT-3.1.2-13");
        if (willQos == 3) throw new MqttProtocolException("CONNECT: will QoS 3 does not exist", "MQTT-3.1.2-14");
        var hasUser = (flags & 0x80) != 0;
        var hasPassword = (flags & 0x40) != 0;
        if (hasPassword && !hasUser) throw new MqttProtocolException("CONNECT: password flag set without the user name flag", "MQTT-3.1.2-22");
        var keepAlive = reader.ReadUInt16("keep alive");
        var clientId = reader.ReadString("client id");
        MqttWillMessage? will = null;
        if (hasWill)
        {
            var topic = reader.ReadString("will topic");
            var payload = reader.ReadBinary("will message").ToArray();
            will = new MqttWillMessage(topic, payload, (MqttQos)willQos, willRetain);
        }
        var user = hasUser ? reader.ReadString("user name") : null;
        ReadOnlyMemory<byte>? password = null;
        if (hasPassword) password = reader.ReadBinary("password").ToArray();
        reader.ExpectEnd();
        return new MqttConnectPacket
        {
            ClientId = clientId,
            CleanSession = (flags & 0x02) != 0,
            KeepAliveSeconds = keepAlive,
            UserName = user,
            Password = password,
            Will = will,
            ProtocolLevel = level,
        };
    }

    private static MqttConnAckPacket DecodeConnAck(ReadOnlySpan<byte> body)
    {
        var reader = new MqttBodyReader(body, "CONNACK");
        var ackFlags = reader.ReadByte("acknowledge flags");
        var code = reader.ReadByte("return code");
        reader.ExpectEnd();
        if ((ackFlags & 0xFE) != 0) throw new MqttProtocolException($"CONNACK: acknowledge flags bits 7-1 are reserved and must be 0, got 0x{ackFlags:X2}", "MQTT-3.2.2.1");
        if (code > 5) throw new MqttProtocolException($"CONNACK: return code {code} is reserved (0-5 are defined)", "MQTT-3.2.2.3");
        var sessionPresent = (ackFlags & 1) != 0;
        if (sessionPresent && code != 0) throw new MqttProtocolException($"CONNACK: session present must be 0 with a non-zero return code ({code})", "MQTT-3.2.2-4");
        return new MqttConnAckPacket(sessionPresent, (MqttConnectReturnCode)code);
    }

    private static MqttPublishPacket DecodePublish(int flags, ReadOnlySpan<byte> body)
    {
        var qos = (flags >> 1) & 0x03;
        if (qos == 3) throw new MqttProtocolException("PUBLISH: both QoS bits set (QoS 3 does not exist)", "MQTT-3.3.1-4");
        var duplicate = (flags & 0x08) != 0;
        if (qos == 0 && duplicate) throw new MqttProtocolException("PUBLISH: DUP set on a QoS 0 message", "MQTT-3.3.1-2");
        var reader = new MqttBodyReader(body, "PUBLISH");
        var topic = reader.ReadString("topic name");
        if (topic.Length == 0) throw new MqttProtocolException("PUBLISH: empty topic name", "MQTT-4.7.3-1");
        if (topic.AsSpan().IndexOfAny('+', '#') >= 0) throw new MqttProtocolException($"PUBLISH: topic name \"{topic}\" contains a wildcard", "MQTT-3.3.2-2");
        ushort packetId = 0;
        if (qos > 0)
        {
            packetId = reader.ReadUInt16("packet identifier");
            if (packetId == 0) throw new MqttProtocolException("PUBLISH: QoS > 0 with packet identifier 0", "MQTT-2.3.1-1");
        }
        return new MqttPublishPacket
        {
            Topic = topic,
            Payload = reader.ReadRest().ToArray(),
            Qos = (MqttQos)qos,
            Retain = (flags & 0x01) != 0,
            Duplicate = duplicate,
            PacketId = packetId,
        };
    }

    private static ushort DecodeIdOnly(ReadOnlySpan<byte> body, string name)
    {
        var reader = new MqttBodyReader(body, name);
        var id = reader.ReadUInt16("packet identifier");
        reader.ExpectEnd();
        if (id == 0) throw new MqttProtocolException($"{name}: packet identifier 0", "MQTT-2.3.1-1");
        return id;
    }

    private static MqttSubscribePacket DecodeSubscribe(ReadOnlySpan<byte> body)
    {
        var reader = new MqttBodyReader(body, "SUBSCRIBE");
        var id = reader.ReadUInt16("packet identifier");
        if (id == 0) throw new MqttProtocolException("SUBSCRIBE: packet identifier 0", "MQTT-2.3.1-1");
        var subscriptions = new List<MqttTopicSubscription>();
        while (reader.Remaining > 0)
        {
            var filter = reader.ReadString("topic filter");
            var qos = reader.ReadByte("requested QoS");
            if (qos > 2) throw new MqttProtocolException($"SUBSCRIBE: requested QoS byte 0x{qos:X2} (reserved bits or QoS 3)", "MQTT-3-8.3-4");
            MqttTopic.ValidateTopicFilter(filter);
            subscriptions.Add(new MqttTopicSubscription(filter, (MqttQos)qos));
        }
        if (subscriptions.Count == 0) throw new MqttProtocolException("SUBSCRIBE without any topic filter", "MQTT-3.8.3-3");
        return new MqttSubscribePacket(id, subscriptions);
    }

    private static MqttSubAckPacket DecodeSubAck(ReadOnlySpan<byte> body)
    {
        var reader = new MqttBodyReader(body, "SUBACK");
        var id = reader.ReadUInt16("packet identifier");
        if (id == 0) throw new MqttProtocolException("SUBACK: packet identifier 0", "MQTT-2.3.1-1");
        var codes = new List<MqttSubscribeReturnCode>();
        foreach (var code in reader.ReadRest())
        {
            if (code is not (0 or 1 or 2 or 0x80)) throw new MqttProtocolException($"SUBACK: return code 0x{code:X2} is reserved", "MQTT-3.9.3-2");
            codes.Add((MqttSubscribeReturnCode)code);
        }
        if (codes.Count == 0) throw new MqttProtocolException("SUBACK without any return code", "MQTT-3.9.3-1");
        return new MqttSubAckPacket(id, codes);
    }

    private static MqttUnsubscribePacket DecodeUnsubscribe(ReadOnlySpan<byte> body)
    {
        var reader = new MqttBodyReader(body, "UNSUBSCRIBE");
        var id = reader.ReadUInt16("packet identifier");
        if (id == 0) throw new MqttProtocolException("UNSUBSCRIBE: packet identifier 0", "MQTT-2.3.1-1");
        var filters = new List<string>();
        while (reader.Remaining > 0)
        {
            var filter = reader.ReadString("topic filter");
            MqttTopic.ValidateTopicFilter(filter);
            filters.Add(filter);
        }
        if (filters.Count == 0) throw new MqttProtocolException("UNSUBSCRIBE without any topic filter", "MQTT-3.10.3-2");
        return new MqttUnsubscribePacket(id, filters);
    }

    private static MqttPacket DecodeEmpty(ReadOnlySpan<byte> body, string name, MqttPacket instance)
    {
        if (body.Length != 0) throw new MqttProtocolException($"{name}: remaining length must be 0, got {body.Length}", "MQTT-2.2.3");
        return instance;
    }
}
