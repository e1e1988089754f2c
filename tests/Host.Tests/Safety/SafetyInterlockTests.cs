using System.Device.Gpio;
using Gateway.Runtime.Status;
using Xunit.Abstractions;

namespace Gateway.Host.Tests.Safety;

/// <summary>The e-stop interlock over real drivers and simulated devices, on a manual clock.</summary>
public sealed class SafetyInterlockTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Every_device_is_at_0_kW_within_100_ms_of_the_loop_opening_over_12_seeds()
    {
        var latencies = new List<double>();
        for (var seed = 1; seed <= 12; seed++)
        {
            // The stop is pressed at a random phase of the 5 ms sampling period.
            var random = new Random(seed);
            await using var bench = SafetyBench.Start(startOffset: TimeSpan.FromMilliseconds(random.NextDouble() * 5));
            foreach (var link in bench.Controllable) await link.UseDriverAsync((d, ct) => d.WriteSetpointAsync(5, TimeSpan.FromMinutes(15), ct));
            Assert.Equal(PinValue.High, bench.Chip.Level(SafetyBench.ContactorPin));
            bench.Clock.Advance(TimeSpan.FromMilliseconds(random.NextDouble() * 5));
            var pressedAt = bench.Clock.GetUtcNow();
            var before = bench.Writes.Count;
            bench.Chip.SetInput(SafetyBench.EstopPin, PinValue.High);
            var ids = bench.Controllable.Select(l => l.Device.Id).ToHashSet();
            bench.AdvanceUntil(() => ids.All(id => bench.Writes.Skip(before).Any(w => w.Device == id && w.Kw == 0)), TimeSpan.FromMilliseconds(200));
            await bench.Interlock.Zeroing;
            var zeroes = bench.Writes.Skip(before).Where(w => w.Kw == 0).ToList();
            Assert.Equal(ids.OrderBy(x => x), zeroes.Select(w => w.Device).Distinct().OrderBy(x => x));
            var latency = (zeroes.Max(w => w.At) - pressedAt).TotalMilliseconds;
            Assert.True(latency <= 100, $"seed {seed}: last device at 0 kW {latency} ms after the loop opened");
            latencies.Add(latency);
            // Nothing but zeroes after the stop; contactor open; the status says so.
            Assert.All(bench.Writes.Skip(before), w => Assert.Equal(0, w.Kw));
            Assert.Equal(PinValue.Low, bench.Chip.Level(SafetyBench.ContactorPin));
            var status = bench.Interlock.Status();
            Assert.Equal(InterlockState.Tripped, status.State);
            Assert.NotNull(status.ZeroLatencyMs);
            Assert.Equal(ids.Count, status.Events.Count(e => e.Kind == "zero-confirmed"));
            Assert.Contains(status.Events, e => e.Kind == "contactor-open");
            Assert.True(bench.Interlock.TripToken.IsCancellationRequested);
            Assert.Equal(status.TripId, bench.Board.Snapshot().Interlock!.TripId);
        }
        var mean = latencies.Average();
        var sd = Math.Sqrt(latencies.Sum(l => (l - mean) * (l - mean)) / (latencies.Count - 1));
        output.WriteLine($"loop open → every device at 0 kW (fake time, 5 ms sampling, 10 ms debounce, in-memory Modbus): {mean:0.0} ± {sd:0.0} ms over {latencies.Count} seeds, max {latencies.Max():0.0} ms");
    }

    [Fact]
    public async Task Releasing_the_stop_rearms_nothing_until_an_operator_acknowledges_the_trip()
    {
        await using var bench = SafetyBench.Start();
        bench.Chip.SetInput(SafetyBench.EstopPin, PinValue.High);
        bench.Clock.AdvanceInSteps(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(1));
        await bench.Interlock.Zeroing;
        var tripId = bench.Interlock.TripId!;
        Assert.Null(bench.Interlock.Status().AckId); // nothing to acknowledge while the stop is pressed
        var armed = bench.Interlock.WhenArmedAsync();

        bench.Chip.SetInput(SafetyBench.EstopPin, PinValue.Low);
        bench.Clock.AdvanceInSteps(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(1));
        var waiting = bench.Interlock.Status();
        Assert.Equal(InterlockState.AwaitingAck, waiting.State);
        Assert.Equal(tripId, waiting.AckId);
        Assert.True(bench.Interlock.IsTripped);
        Assert.False(armed.IsCompleted);
        Assert.Equal(PinValue.Low, bench.Chip.Level(SafetyBench.ContactorPin));
        bench.Clock.Advance(TimeSpan.FromMinutes(10));
        Assert.False(armed.IsCompleted);

        Assert.True(bench.Board.Acknowledge(new OperatorAck(tripId, "lab.lead", "dashboard", "127.0.0.1")));
        await armed.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(bench.Interlock.IsTripped);
        Assert.False(bench.Interlock.TripToken.IsCancellationRequested);
        Assert.Equal(InterlockState.Armed, bench.Interlock.Status().State);
        Assert.Equal(PinValue.High, bench.Chip.Level(SafetyBench.ContactorPin));
        Assert.Contains(bench.Interlock.Status().Events, e => e.Kind == "acknowledged" && e.Detail.Contains("lab.lead"));
    }

    [Fact]
    public async Task A_stop_pressed_again_before_the_acknowledgement_is_a_new_trip_and_the_old_acknowledgement_rearms_nothing()
    {
        await using var bench = SafetyBench.Start();
        bench.Chip.SetInput(SafetyBench.EstopPin, PinValue.High);
        bench.Clock.AdvanceInSteps(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(1));
        bench.Chip.SetInput(SafetyBench.EstopPin, PinValue.Low);
        bench.Clock.AdvanceInSteps(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(1));
        var first = bench.Interlock.Status().AckId!;
        bench.Chip.SetInput(SafetyBench.EstopPin, PinValue.High);
        bench.Clock.AdvanceInSteps(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(1));
        await bench.Interlock.Zeroing;
        var second = bench.Interlock.TripId!;
        Assert.NotEqual(first, second);
        bench.Board.Acknowledge(new OperatorAck(first, "lab.lead"));
        bench.Chip.SetInput(SafetyBench.EstopPin, PinValue.Low);
        bench.Clock.AdvanceInSteps(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(1));
        Assert.Equal(InterlockState.AwaitingAck, bench.Interlock.Status().State);
        Assert.Equal(second, bench.Interlock.Status().AckId);
        Assert.True(bench.Interlock.IsTripped);
    }

    [Fact]
    public async Task A_failed_gpio_read_trips_the_interlock()
    {
        await using var bench = SafetyBench.Start();
        var before = bench.Writes.Count;
        bench.Chip.FailReads(SafetyBench.EstopPin);
        bench.Clock.AdvanceInSteps(TimeSpan.FromMilliseconds(30), TimeSpan.FromMilliseconds(1));
        await bench.Interlock.Zeroing;
        Assert.True(bench.Interlock.IsTripped);
        Assert.Contains("cannot be read", bench.Interlock.Status().Reason);
        Assert.Equal(bench.Controllable.Count(), bench.Writes.Skip(before).Count(w => w.Kw == 0));
    }
}
