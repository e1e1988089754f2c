using System.Device.Gpio;
using Gateway.DeviceSims.Devices;
using Gateway.Rigs;
using Gateway.Drivers.Devices;
using Gateway.Drivers.Lab;
using Gateway.Runtime.Devices;
using Gateway.Runtime.Safety;
using Gateway.Runtime.Status;
using Gateway.Host.Tests.Worker;
using Gateway.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Host.Tests.Safety;

/// <summary>
/// The end-to-end rig's devices as simulated units behind real Modbus drivers (in memory, no transport), an e-stop
/// and a contactor on our fake GPIO chip, and an interlock over them — all on one manual clock. Every setpoint write
/// reaching a driver is stamped with that clock, so latencies are measured, not slept for.
/// </summary>
internal sealed class SafetyBench : IAsyncDisposable
{
    public const int EstopPin = 17, ContactorPin = 27;

    private SafetyBench(FakeTimeProvider clock, FakeGpioDriver chip, IReadOnlyList<DeviceLink> links, GatewayStatusBoard board, SafetyInterlock interlock, List<(string Device, double Kw, DateTimeOffset At)> writes)
    {
        Clock = clock;
        Chip = chip;
        Links = links;
        Board = board;
        Interlock = interlock;
        Writes = writes;
    }

    public FakeTimeProvider Clock { get; }
    public FakeGpioDriver Chip { get; }
    public IReadOnlyList<DeviceLink> Links { get; }
    public GatewayStatusBoard Board { get; }
    public SafetyInterlock Interlock { get; }

    /// <summary>Every setpoint written: device, kW, when (manual clock).</summary>
    public List<(string Device, double Kw, DateTimeOffset At)> Writes { get; }

    public IEnumerable<DeviceLink> Controllable => Links.Where(l => !l.Driver.ReadOnly && l.Device.Kind != "meter");

    public static SafetyBench Start(TimeSpan? debounce = null, TimeSpan? startOffset = null)
    {
        var yaml = EndToEndRig.Yaml.Replace("timeScale: 300", "timeScale: 1");
        var rig = Gateway.Rigs.RigLoader.Parse(yaml, "safety.yaml");
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 6, 1, 11, 0, 0, TimeSpan.Zero) + (startOffset ?? TimeSpan.Zero));
        var sims = new SimulatedRig(RigLoader.ParseSimulated(yaml, "safety.yaml"), clock);
        var writes = new List<(string, double, DateTimeOffset)>();
        var links = rig.Devices.Select(d =>
        {
            var driver = new ModbusDeviceDriver(InMemoryModbusClient.For(d.UnitId, sims.UnitOf(sims.Find(d.Id)!)), d.UnitId, ProfileLoader.Load(d.Profile), clock);
            return new DeviceLink(d, new StampedDriver(driver, d.Id, clock, writes));
        }).ToList();
        var chip = new FakeGpioDriver(clock);
        chip.SetInput(EstopPin, PinValue.Low);
        var gpio = new GpioController(chip);
        var estop = new EmergencyStopInput(gpio, new EmergencyStopOptions
        {
            Pin = EstopPin, ClosedLevel = PinValue.Low, Debounce = debounce ?? TimeSpan.FromMilliseconds(10), SampleInterval = TimeSpan.FromMilliseconds(5),
        }, clock);
        var contactor = new ContactorOutput(gpio, ContactorPin, PinValue.High);
        var board = new GatewayStatusBoard(rig.SiteId, clock, clock);
        var interlock = new SafetyInterlock(estop, contactor, null, links, board, rig.SiteId, clock, NullLogger.Instance);
        interlock.Start();
        return new SafetyBench(clock, chip, links, board, interlock, writes);
    }

    /// <summary>Advance the clock 1 ms at a time until <paramref name="done"/> holds (at most <paramref name="limit"/>).</summary>
    public TimeSpan AdvanceUntil(Func<bool> done, TimeSpan limit)
    {
        var waited = TimeSpan.Zero;
        while (!done() && waited < limit)
        {
            Clock.Advance(TimeSpan.FromMilliseconds(1));
            waited += TimeSpan.FromMilliseconds(1);
        }
        return waited;
    }

    public async ValueTask DisposeAsync()
    {
        await Interlock.DisposeAsync();
        foreach (var link in Links) await link.DisposeAsync();
    }

    /// <summary>The real driver, with each setpoint write stamped on the clock as it reaches the driver.</summary>
    private sealed class StampedDriver(IDeviceDriver inner, string id, TimeProvider clock, List<(string, double, DateTimeOffset)> writes) : IDeviceDriver
    {
        public DeviceProfile Profile => inner.Profile;
        public bool ReadOnly => inner.ReadOnly;
        public Task<DeviceReading> ReadAsync(CancellationToken cancellationToken = default) => inner.ReadAsync(cancellationToken);

        public async Task<SetpointResult> WriteSetpointAsync(double powerKw, TimeSpan validFor, CancellationToken cancellationToken = default)
        {
            var result = await inner.WriteSetpointAsync(powerKw, validFor, cancellationToken);
            lock (writes) writes.Add((id, result.TargetKw, clock.GetUtcNow()));
            return result;
        }

        public Task RefreshWatchdogAsync(CancellationToken cancellationToken = default) => inner.RefreshWatchdogAsync(cancellationToken);
        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
