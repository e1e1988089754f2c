using Gateway.DeviceSims.Devices;
using Gateway.Drivers.Devices;
using Gateway.Runtime.Devices;
using Gateway.Rigs;
using Gateway.Runtime.Status;
using Gateway.Host.Tests.Worker;
using Gateway.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Host.Tests.Devices;

/// <summary>
/// A device whose fault heals comes back, and nothing the poller does under a device's driver lock can keep the lock for
/// good. The 18-hour soak (seed 17) lost charger d195 for the rest of the day: one fault after another failed every poll of
/// it for 30 s, its circuit opened, and the poller, which refuses a device with an open circuit without asking Polly, never
/// asked again — Polly half-opens a circuit only when asked to execute after the break. The poller's wall clock is fake
/// here, so the breaker's break and the attempt timeout pass exactly when the test says.
/// </summary>
public sealed class PollRecoveryTests
{
    private static readonly DateTimeOffset Start = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_device_isolated_by_its_open_circuit_is_tried_again_after_the_break_and_comes_back_once_healed()
    {
        var (link, driver, wall, options, poller) = Polled(new DevicePollerOptions { Retries = 0 });

        // Every attempt fails: after IsolateAfterFailures polls the circuit opens and the next poll is refused unasked.
        driver.Broken = true;
        for (var i = 0; i < options.IsolateAfterFailures; i++) await poller.PollOnceAsync(link);
        Assert.Equal(DeviceLinkState.Isolated, link.State);
        var reads = driver.Reads;
        await poller.PollOnceAsync(link);
        Assert.Equal(reads, driver.Reads);
        Assert.Equal(DeviceLinkState.Isolated, link.State);

        // The fault heals; within the break the device is still refused (the breaker keeps a dead device from being hammered).
        driver.Broken = false;
        wall.Advance(options.BreakDuration / 2);
        await poller.PollOnceAsync(link);
        Assert.Equal(reads, driver.Reads);
        Assert.Equal(DeviceLinkState.Isolated, link.State);

        // After the break the next poll is a trial: it reads the device, closes the circuit, and the device is back.
        wall.Advance(options.BreakDuration);
        await poller.PollOnceAsync(link);
        Assert.Equal(reads + 1, driver.Reads);
        Assert.Equal(DeviceLinkState.Healthy, link.State);
        await poller.PollOnceAsync(link);
        Assert.Equal(reads + 2, driver.Reads);
        Assert.Equal(DeviceLinkState.Healthy, link.State);
    }

    [Fact]
    public async Task A_device_still_failing_at_its_trial_is_refused_for_another_break()
    {
        var (link, driver, wall, options, poller) = Polled(new DevicePollerOptions { Retries = 0 });
        driver.Broken = true;
        for (var i = 0; i < options.IsolateAfterFailures; i++) await poller.PollOnceAsync(link);

        wall.Advance(options.BreakDuration);
        await poller.PollOnceAsync(link);
        var reads = driver.Reads;
        Assert.Equal(options.IsolateAfterFailures + 1, reads);
        // The failed trial opened the circuit again: refused without a read until the next break is over.
        wall.Advance(options.BreakDuration / 2);
        await poller.PollOnceAsync(link);
        Assert.Equal(reads, driver.Reads);
        driver.Broken = false;
        wall.Advance(options.BreakDuration);
        await poller.PollOnceAsync(link);
        Assert.Equal(reads + 1, driver.Reads);
        Assert.Equal(DeviceLinkState.Healthy, link.State);
    }

    [Fact]
    public async Task A_keep_alive_that_never_completes_is_abandoned_after_the_attempt_timeout_and_frees_the_driver()
    {
        var (link, driver, wall, options, poller) = Polled(new DevicePollerOptions());

        // The read is good; the keep-alive after it waits for an answer that never comes (it ends only when cancelled).
        driver.KeepAliveHangs = true;
        var poll = poller.PollOnceAsync(link);
        await driver.KeepAliveStarted.Task.WaitAsync(Waits.DefaultTimeout);
        Assert.False(poll.IsCompleted);
        // The dispatcher wants the driver meanwhile (bounded by its own deadline, which this test never lets run out).
        var dispatch = link.UseDriverAsync((d, c) => Task.FromResult(true));
        Assert.False(dispatch.IsCompleted);

        wall.Advance(options.AttemptTimeout);
        await Waits.UntilAsync(() => poll.IsCompleted && dispatch.IsCompleted, "the poll abandoned its keep-alive and the dispatcher got the driver");
        await poll;
        Assert.True(await dispatch);
        Assert.True(driver.KeepAliveCancelled);
        Assert.Equal(DeviceLinkState.Degraded, link.State);
        Assert.Contains("abandoned", link.LastError, StringComparison.Ordinal);

        // The next poll reads the device again and keeps it alive.
        driver.KeepAliveHangs = false;
        await poller.PollOnceAsync(link);
        Assert.Equal(DeviceLinkState.Healthy, link.State);
    }

    /// <summary>ev-a behind a <see cref="SwitchableDriver"/>, and a poller of it whose wall clock is the returned fake.</summary>
    private static (DeviceLink Link, SwitchableDriver Driver, FakeTimeProvider Wall, DevicePollerOptions Options, DevicePoller Poller) Polled(DevicePollerOptions options)
    {
        var (link, driver, plant) = Device();
        var wall = new FakeTimeProvider(Start);
        return (link, driver, wall, options, new DevicePoller([link], plant, options, new GatewayStatusBoard("recovery", plant), null, NullLogger.Instance, wall));
    }

    private static (DeviceLink Link, SwitchableDriver Driver, FakeTimeProvider Plant) Device()
    {
        var yaml = EndToEndRig.Yaml.Replace("timeScale: 300", "timeScale: 1");
        var gateway = RigLoader.Parse(yaml, "recovery.yaml");
        var plant = new FakeTimeProvider(Start);
        var sims = new SimulatedRig(RigLoader.ParseSimulated(yaml, "recovery.yaml"), plant);
        var device = gateway.Devices.Single(d => d.Id == "ev-a");
        var client = InMemoryModbusClient.For(device.UnitId, sims.UnitOf(sims.Find(device.Id)!));
        var driver = new SwitchableDriver(new ModbusDeviceDriver(client, device.UnitId, ProfileLoader.Load(device.Profile), plant));
        return (new DeviceLink(device, driver), driver, plant);
    }

    /// <summary>A real driver whose reads can be made to fail (as a device that does not answer) and whose keep-alive can hang.</summary>
    private sealed class SwitchableDriver(IDeviceDriver inner) : IDeviceDriver
    {
        private int _reads;

        public volatile bool Broken;

        public volatile bool KeepAliveHangs;

        public volatile bool KeepAliveCancelled;

        public TaskCompletionSource KeepAliveStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Reads that reached the driver (refused polls do not).</summary>
        public int Reads => Volatile.Read(ref _reads);

        public DeviceProfile Profile => inner.Profile;

        public bool ReadOnly => inner.ReadOnly;

        public Task<DeviceReading> ReadAsync(CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _reads);
            return Broken
                ? Task.FromException<DeviceReading>(new DeviceException(DeviceErrorKind.Timeout, "ev-a", "ev-a did not answer within 1 s", isTransient: true))
                : inner.ReadAsync(cancellationToken);
        }

        public Task<SetpointResult> WriteSetpointAsync(double powerKw, TimeSpan validFor, CancellationToken cancellationToken = default) =>
            inner.WriteSetpointAsync(powerKw, validFor, cancellationToken);

        public Task RefreshWatchdogAsync(CancellationToken cancellationToken = default) => inner.RefreshWatchdogAsync(cancellationToken);

        public async Task RefreshWatchdogIfDueAsync(CancellationToken cancellationToken = default)
        {
            if (!KeepAliveHangs)
            {
                await inner.RefreshWatchdogIfDueAsync(cancellationToken);
                return;
            }
            KeepAliveStarted.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                KeepAliveCancelled = true;
                throw;
            }
        }

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
