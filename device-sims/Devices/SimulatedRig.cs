using Gateway.DeviceSims.Physics;
using Gateway.Rigs;
using Gateway.Drivers.Devices;
using Gateway.Drivers.Modbus;

namespace Gateway.DeviceSims.Devices;

/// <summary>
/// Every simulated device of a rig on one simulated clock. Devices advance together in steps of
/// at most one simulated second whenever any of them is accessed, meters last, so a meter sums
/// powers of the same instant and a watchdog runs out at the right step even when nobody polls.
/// </summary>
public sealed class SimulatedRig
{
    private static readonly TimeSpan MaxStep = TimeSpan.FromSeconds(1);
    private readonly List<SimulatedDevice> _devices = [];
    private DateTimeOffset _time;

    /// <summary>
    /// Builds the devices of <paramref name="rig"/>, loading their profiles. With <paramref name="stepped"/> simulated time
    /// moves only by <see cref="StepTo"/> (lockstep with a gateway), otherwise at the rig's time scale on
    /// <paramref name="realTime"/>.
    /// </summary>
    /// <exception cref="RigFileException">A profile is missing or does not fit its device.</exception>
    public SimulatedRig(RigDefinition rig, TimeProvider realTime, bool stepped = false)
    {
        Definition = rig;
        Clock = stepped ? SimulationClock.Stepped(rig.Start) : new SimulationClock(realTime, rig.Start, rig.TimeScale);
        _time = rig.Start;
        var problems = new List<RigProblem>();
        var profiles = new Dictionary<string, DeviceProfile>();
        foreach (var d in rig.Devices.Where(d => d.DeviceKind != DeviceKind.Meter).Concat(rig.Devices.Where(d => d.DeviceKind == DeviceKind.Meter)))
        {
            try
            {
                var wire = LoadProfile(rig, d);
                var profile = ImageProfile(d, wire);
                SimulatedDevice device = d.DeviceKind switch
                {
                    DeviceKind.Charger => new SimulatedCharger(d, profile, rig.Start),
                    DeviceKind.PvInverter => new SimulatedPvInverter(d, profile, rig.Start),
                    DeviceKind.Smes => new SimulatedSmes(d, profile, rig.Start),
                    _ => new SimulatedMeter(d, profile, rig.Start, Summed(d)),
                };
                device.WireProfile = wire;
                _devices.Add(device);
            }
            catch (Exception e) when (e is ProfileLoadException or ArgumentException)
            {
                problems.Add(new RigProblem(rig.SourceFile, $"device '{d.Id}'", 0, e.Message));
            }
        }
        if (problems.Count > 0) throw new RigFileException(problems);
    }

    /// <summary>The rig as parsed.</summary>
    public RigDefinition Definition { get; }

    /// <summary>Simulated time.</summary>
    public SimulationClock Clock { get; }

    /// <summary>Held while devices advance or registers are read or written.</summary>
    public object Gate { get; } = new();

    /// <summary>The devices: chargers, PV and SMES in file order, then meters.</summary>
    public IReadOnlyList<SimulatedDevice> Devices => _devices;

    /// <summary>The device with id <paramref name="id"/>, or null.</summary>
    public SimulatedDevice? Find(string id) => _devices.FirstOrDefault(d => d.Id == id);

    /// <summary>
    /// Starts simulated time at the rig's start from now, so time spent starting servers is not
    /// simulated; does nothing once the devices have been advanced.
    /// </summary>
    public void StartClock()
    {
        lock (Gate)
        {
            if (_time == Definition.Start) Clock.Restart();
        }
    }

    /// <summary>
    /// How often, in real time, a register access advances the rig: at most once per this span (default 20 ms, as a
    /// real device refreshes its registers at 10–100 ms). Advancing steps and publishes every device of the rig, so
    /// doing it on every request made a request cost grow with the rig: 2,000 devices polled once a second are
    /// ~8,000 requests a second, and stepping all 2,000 devices for each is more than the two cores of a lab PC.
    /// </summary>
    public TimeSpan AccessResolution { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// Advances every device for a register access (callers hold <see cref="Gate"/>): to the simulated time now, once
    /// at least <see cref="AccessResolution"/> of real time has passed since the rig last advanced.
    /// </summary>
    public void AdvanceForAccess()
    {
        var now = Clock.Now;
        var step = Math.Max(1, AccessResolution.Ticks * Clock.TimeScale);
        if ((now - _time).Ticks < step) return;
        AdvanceTo(now);
    }

    /// <summary>Steps a stepped rig's clock to <paramref name="time"/> and advances every device there.</summary>
    public DateTimeOffset StepTo(DateTimeOffset time)
    {
        lock (Gate)
        {
            Clock.StepTo(time);
            AdvanceTo(Clock.Now);
            return Clock.Now;
        }
    }

    /// <summary>Advances every device to the simulated time now.</summary>
    public void Advance()
    {
        lock (Gate) AdvanceTo(Clock.Now);
    }

    /// <summary>Advances every device to <paramref name="until"/> (never backwards). Callers hold <see cref="Gate"/>.</summary>
    public void AdvanceTo(DateTimeOffset until)
    {
        while (_time < until)
        {
            var step = until - _time < MaxStep ? until - _time : MaxStep;
            foreach (var d in _devices) d.Step(_time, step.TotalSeconds);
            _time += step;
            foreach (var d in _devices) d.Time = _time;
        }
        foreach (var d in _devices) d.Publish();
    }

    /// <summary>The Modbus face of <paramref name="device"/>: every call advances the rig first.</summary>
    public IModbusServerUnit UnitOf(SimulatedDevice device) => new SimulatedUnit(this, device);

    private List<SimulatedDevice> Summed(RigDevice meter)
    {
        var ids = meter.Meter?.Sums is { Count: > 0 } sums ? sums : Definition.Devices.Where(d => d.DeviceKind != DeviceKind.Meter).Select(d => d.Id).ToList();
        return ids.Select(id => _devices.FirstOrDefault(d => d.Id == id)
            ?? throw new ArgumentException($"the meter sums '{id}', which is not a charger, PV or SMES device of this rig")).ToList();
    }

    // The physics write and read a register image. An MQTT device's topic map has no registers, so its
    // state lives in the image of the kind's shipped Modbus profile, whose point names the MQTT
    // profiles share; commands arriving over MQTT are applied to that image like Modbus writes.
    private static DeviceProfile ImageProfile(RigDevice d, DeviceProfile wire)
    {
        if (d.Protocol == "ocpp")
        {
            if (wire.Ocpp is null) throw new ArgumentException($"the device speaks ocpp, but profile '{wire.Name}' has no 'ocpp' part (use ocpp-charger)");
            return ProfileLoader.Load("v2g-charger");
        }
        if (d.Protocol != "mqtt")
        {
            if (wire.Modbus is null) throw new ArgumentException($"the device speaks {d.Protocol}, but profile '{wire.Name}' has no 'modbus' part (use protocol: mqtt, or a Modbus profile)");
            return wire;
        }
        if (wire.Mqtt is null) throw new ArgumentException($"the device speaks mqtt, but profile '{wire.Name}' has no 'mqtt' part (a topic map)");
        if (wire.Modbus is not null) return wire;
        var image = ProfileLoader.Load(d.DeviceKind switch
        {
            DeviceKind.Charger => "v2g-charger",
            DeviceKind.PvInverter => "sunspec-inverter",
            DeviceKind.Smes => "smes-converter",
            _ => "sunspec-meter",
        });
        if (wire.FindRole(PointRole.Setpoint) is { } setpoint && image.FindPoint(setpoint.Name) is not { IsWritable: true })
            throw new ArgumentException($"profile '{wire.Name}': its setpoint '{setpoint.Name}' is not a writable point of the simulated {KindName(d.DeviceKind)} (whose points follow '{image.Name}')");
        return image;
    }

    private static string KindName(DeviceKind kind) => kind switch
    {
        DeviceKind.Charger => "charger",
        DeviceKind.PvInverter => "pv-inverter",
        DeviceKind.Smes => "smes",
        _ => "meter",
    };

    private static DeviceProfile LoadProfile(RigDefinition rig, RigDevice d)
    {
        var name = d.Profile;
        if ((name.Contains('/') || name.EndsWith(".yaml", StringComparison.Ordinal)) && !Path.IsPathRooted(name) && rig.SourceFile.Length > 0)
            name = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(rig.SourceFile)) ?? "", name);
        var profile = ProfileLoader.Load(name);
        var expected = KindName(d.DeviceKind);
        if (profile.Kind != expected)
            throw new ArgumentException($"profile '{profile.Name}' is for a {profile.Kind}, the device is a {expected}");
        return profile;
    }
}
