using System.Buffers;
using Gateway.Drivers.Mqtt.Packets;

namespace Gateway.Drivers.Mqtt.Codec;

/// <summary>
/// Pure MQTT packet codec: bytes in, packets out, no I/O and no state between calls.
/// Both directions are covered for every packet type so the same codec serves a client and a test broker.
/// </summary>
public interface IMqttPacketCodec
{
    /// <summary>Append the complete encoding of <paramref name="packet"/> (fixed header included) to <paramref name="output"/>.</summary>
    /// <returns>The number of bytes written.</returns>
    /// <exception cref="MqttProtocolException">The packet cannot be encoded without breaking the spec (the message cites the clause).</exception>
    int Encode(MqttPacket packet, IBufferWriter<byte> output);

    /// <summary>Decode one packet from the start of <paramref name="input"/>.</summary>
    /// <param name="input">Received bytes, starting at a packet boundary.</param>
    /// <param name="packet">The packet, when the result is <see cref="OperationStatus.Done"/>.</param>
    /// <param name="consumed">Bytes the packet occupied, when done.</param>
    /// <returns><see cref="OperationStatus.Done"/> or <see cref="OperationStatus.NeedMoreData"/> (the packet is not complete yet).</returns>
    /// <exception cref="MqttProtocolException">The bytes are not a valid MQTT 3.1.1 packet (the message cites the clause).</exception>
    OperationStatus TryDecode(ReadOnlySpan<byte> input, out MqttPacket? packet, out int consumed);
}
