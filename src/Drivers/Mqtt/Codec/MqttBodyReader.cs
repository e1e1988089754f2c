using System.Buffers.Binary;
using System.Text;

namespace Gateway.Drivers.Mqtt.Codec;

/// <summary>
/// Reads the variable header and payload of one packet whose length the fixed header already fixed.
/// Any read past the end means the remaining length lied, which is a malformed packet.
/// </summary>
internal ref struct MqttBodyReader
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private readonly ReadOnlySpan<byte> _body;
    private readonly string _packetName;
    private int _position;

    public MqttBodyReader(ReadOnlySpan<byte> body, string packetName)
    {
        _body = body;
        _packetName = packetName;
        _position = 0;
    }

    public readonly int Remaining => _body.Length - _position;

    public byte ReadByte(string field)
    {
        Need(1, field);
        return _body[_position++];
    }

    public ushort ReadUInt16(string field)
    {
        Need(2, field);
        var value = BinaryPrimitives.ReadUInt16BigEndian(_body[_position..]);
        _position += 2;
        return value;
    }

    public ReadOnlySpan<byte> ReadBinary(string field)
    {
        int length = ReadUInt16(field + " length");
        Need(length, field);
        var value = _body.Slice(_position, length);
        _position += length;
        return value;
    }

    public string ReadString(string field)
    {
        var bytes = ReadBinary(field);
        string text;
        try
        {
            text = StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new MqttProtocolException($"{_packetName}: {field} is not well-formed UTF-8", "MQTT-1.5.3-1");
        }
        if (text.Contains('\0'))
            throw new MqttProtocolException($"{_packetName}: {field} contains the null character U+0000", "MQTT-1.5.3-2");
        return text;
    }

    public ReadOnlySpan<byte> ReadRest()
    {
        var rest = _body[_position..];
        _position = _body.Length;
        return rest;
    }

    public readonly void ExpectEnd()
    {
        if (Remaining != 0)
            throw new MqttProtocolException($"{_packetName}: {Remaining} unexpected byte(s) after the last field (remaining length too large)", "MQTT-2.2.3");
    }

    private readonly void Need(int count, string field)
    {
        if (Remaining < count)
            throw new MqttProtocolException(
                $"{_packetName}: remaining length {_body.Length} ends before {field} ({count} byte(s) needed at offset {_position}, {Remaining} left)",
                "MQTT-2.2.3");
    }
}
