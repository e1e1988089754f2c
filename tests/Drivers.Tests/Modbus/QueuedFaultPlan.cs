using System.Collections.Concurrent;
using Gateway.Drivers.Modbus;

namespace Gateway.Drivers.Tests.Modbus;

/// <summary>A fault plan that hands out queued faults in order, then answers normally.</summary>
internal sealed class QueuedFaultPlan : IModbusFaultPlan
{
    private readonly ConcurrentQueue<ModbusFault> _queue = new();

    public int Asked;

    public QueuedFaultPlan Then(ModbusFault fault)
    {
        _queue.Enqueue(fault);
        return this;
    }

    public ModbusFault Next(byte unitId, byte functionCode)
    {
        Interlocked.Increment(ref Asked);
        return _queue.TryDequeue(out var fault) ? fault : ModbusFault.None;
    }
}
