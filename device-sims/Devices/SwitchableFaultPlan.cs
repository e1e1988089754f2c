using Gateway.Drivers.Modbus;

namespace Gateway.DeviceSims.Devices;

/// <summary>A fault plan whose fault can be switched while the server runs; thread-safe.</summary>
public sealed class SwitchableFaultPlan : IModbusFaultPlan
{
    private readonly object _gate = new();
    private ModbusFault _current;

    /// <summary>The fault shown to every request from now on (<see cref="ModbusFault.None"/> to heal).</summary>
    public ModbusFault Current
    {
        get { lock (_gate) return _current; }
        set { lock (_gate) _current = value; }
    }

    /// <summary>How many requests were answered with a fault.</summary>
    public int FaultsShown { get; private set; }

    /// <inheritdoc />
    public ModbusFault Next(byte unitId, byte functionCode)
    {
        lock (_gate)
        {
            if (_current.Kind != ModbusFaultKind.None) FaultsShown++;
            return _current;
        }
    }
}
