using Gateway.Drivers.Mqtt.Packets;

namespace Gateway.Drivers.Mqtt.Client;

/// <summary>
/// Matches acknowledgements (SUBACK, UNSUBACK, PUBACK, PUBREC, PUBCOMP) to the request that is waiting for them,
/// by packet type and packet id. An acknowledgement nobody waits for is reported to the caller, never given to
/// the next request that happens to reuse the id.
/// </summary>
internal sealed class MqttPacketDispatcher
{
    private readonly object _gate = new();
    private readonly Dictionary<(MqttPacketType Type, ushort Id), TaskCompletionSource<MqttPacket>> _waiting = new();

    /// <summary>Register interest in the acknowledgement of type <paramref name="type"/> for <paramref name="packetId"/>.
    /// Register before sending the request, so a fast reply cannot arrive first.</summary>
    public Task<MqttPacket> Expect(MqttPacketType type, ushort packetId)
    {
        var waiter = new TaskCompletionSource<MqttPacket>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (!_waiting.TryAdd((type, packetId), waiter))
                throw new InvalidOperationException($"already waiting for {type} {packetId}");
        }
        return waiter.Task;
    }

    /// <summary>Stop waiting (after a timeout or cancellation).</summary>
    public void Forget(MqttPacketType type, ushort packetId)
    {
        lock (_gate) _waiting.Remove((type, packetId));
    }

    /// <summary>Hand <paramref name="packet"/> to its waiter; false if nobody waits for it.</summary>
    public bool TryDispatch(MqttPacket packet)
    {
        if (packet is not IMqttPacketWithId withId) return false;
        TaskCompletionSource<MqttPacket>? waiter;
        lock (_gate)
        {
            if (!_waiting.Remove((packet.Type, withId.PacketId), out waiter)) return false;
        }
        waiter.TrySetResult(packet);
        return true;
    }

    /// <summary>Fail every waiter whose type is in <paramref name="types"/> (e.g. when the connection is lost).</summary>
    public void FailAll(Exception reason, params MqttPacketType[] types)
    {
        List<TaskCompletionSource<MqttPacket>> failed;
        lock (_gate)
        {
            var keys = _waiting.Keys.Where(k => types.Length == 0 || types.Contains(k.Type)).ToList();
            failed = new List<TaskCompletionSource<MqttPacket>>(keys.Count);
            foreach (var key in keys)
            {
                failed.Add(_waiting[key]);
                _waiting.Remove(key);
            }
        }
        foreach (var waiter in failed) waiter.TrySetException(reason);
    }
}
