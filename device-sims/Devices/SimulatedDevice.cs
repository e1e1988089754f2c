using Gateway.Rigs;
using Gateway.Drivers.Devices;
using Gateway.Drivers.Modbus;

namespace Gateway.DeviceSims.Devices;

/// <summary>
/// A simulated device: its physics, advanced in small steps of simulated time, and the register
/// image the gateway reads and writes, laid out from the same profile the gateway's driver uses.
/// </summary>
/// <remarks>Not thread-safe: the <see cref="SimulatedRig"/> serialises every call under its gate.</remarks>
public abstract class SimulatedDevice
{
    /// <summary>Lays out the register image and wires the write hooks.</summary>
    protected SimulatedDevice(RigDevice definition, DeviceProfile profile)
    {
        Definition = definition;
        Image = new RegisterImage(profile);
        WireProfile = profile;
        Image.ValidateWrite = ValidateWrite;
        Image.PointWritten = point => OnPointWritten(point, Time);
    }

    /// <summary>The device as the rig file describes it.</summary>
    public RigDevice Definition { get; }

    /// <summary>Device id.</summary>
    public string Id => Definition.Id;

    /// <summary>The registers the gateway sees (over MQTT: the state behind the telemetry and commands).</summary>
    public RegisterImage Image { get; }

    /// <summary>
    /// The profile the gateway reaches the device through: the image's own for Modbus devices, the
    /// topic map for MQTT devices (whose points carry the same names as the image's).
    /// </summary>
    public DeviceProfile WireProfile { get; internal set; } = null!;

    /// <summary>Faults to show on the wire, switchable at run time.</summary>
    public SwitchableFaultPlan Faults { get; } = new();

    /// <summary>Simulated time the device has been advanced to.</summary>
    public DateTimeOffset Time { get; internal set; }

    /// <summary>Active power at the grid connection now, kW, positive = delivered to the grid.</summary>
    public abstract double PowerKw { get; }

    /// <summary>How often the device fell back to 0 kW because its watchdog ran out.</summary>
    public int WatchdogFallbacks { get; protected set; }

    /// <summary>How often the device went to its safe state because its gateway's presence read offline.</summary>
    public int GatewayLossFallbacks { get; private set; }

    /// <summary>The gateway is gone (its presence topic reads offline): go to the safe state now.</summary>
    public void GatewayLost()
    {
        if (FallBackOnGatewayLoss()) GatewayLossFallbacks++;
    }

    /// <summary>
    /// What the device does when its gateway is gone; true when that changed anything. By default nothing: it keeps what
    /// it was told until its own timers run out.
    /// </summary>
    protected virtual bool FallBackOnGatewayLoss() => false;

    /// <summary>Sets <paramref name="point"/> to 0 unless it is already; true when it was not.</summary>
    protected bool DropToZero(string point)
    {
        if (Written(point) == 0) return false;
        Image.Set(point, 0);
        return true;
    }

    /// <summary>Advances the physics from <paramref name="at"/> by <paramref name="seconds"/>.</summary>
    protected internal abstract void Step(DateTimeOffset at, double seconds);

    /// <summary>Writes the current state into the register image.</summary>
    protected internal abstract void Publish();

    /// <summary>One line for the control interface's status command.</summary>
    public abstract string Describe();

    /// <summary>Refuses a write the device would refuse (return an exception code), before it is stored.</summary>
    protected virtual ModbusExceptionCode ValidateWrite(string point, double? value) => ModbusExceptionCode.None;

    /// <summary>Reacts to a stored write (e.g. re-arms the watchdog).</summary>
    protected virtual void OnPointWritten(string point, DateTimeOffset now)
    {
    }

    /// <summary>The value of a point the gateway writes, or <paramref name="fallback"/> when it holds none.</summary>
    protected double Written(string point, double fallback = 0) => Image.Get(point) ?? fallback;
}
