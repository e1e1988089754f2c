using System.Device.Gpio;
using Gateway.Drivers.Lab;
using Gateway.Testing;

namespace Gateway.Drivers.Tests.Lab;

/// <summary>The e-stop input through a GpioController over our fake chip, on a manual clock.</summary>
public sealed class EmergencyStopInputTests
{
    private const int Pin = 17;
    private static readonly EmergencyStopOptions Options = new() { Pin = Pin, ClosedLevel = PinValue.Low, Debounce = TimeSpan.FromMilliseconds(10), SampleInterval = TimeSpan.FromMilliseconds(5) };

    private static (FakeTimeProvider Clock, FakeGpioDriver Chip, GpioController Gpio) Bench()
    {
        var clock = TestClocks.New();
        var chip = new FakeGpioDriver(clock);
        return (clock, chip, new GpioController(chip));
    }

    [Fact]
    public void A_closed_loop_reads_closed_from_the_first_sample_and_the_pin_has_its_pull_up()
    {
        var (_, chip, gpio) = Bench();
        chip.SetInput(Pin, PinValue.Low);
        using var input = new EmergencyStopInput(gpio, Options, TestClocks.New());
        Assert.False(input.IsOpen);
        Assert.Equal(PinMode.InputPullUp, chip.Mode(Pin));
    }

    [Fact]
    public void Opening_is_accepted_after_the_debounce_and_the_change_carries_both_times()
    {
        var (clock, chip, gpio) = Bench();
        chip.SetInput(Pin, PinValue.Low);
        using var input = new EmergencyStopInput(gpio, Options, clock);
        var changes = new List<EmergencyStopChange>();
        input.Changed += changes.Add;
        var pressedAt = clock.GetUtcNow();
        chip.SetInput(Pin, PinValue.High);
        clock.Advance(TimeSpan.FromMilliseconds(5));
        Assert.False(input.IsOpen); // seen once, not yet for the debounce time
        clock.Advance(TimeSpan.FromMilliseconds(10));
        Assert.True(input.IsOpen);
        var change = Assert.Single(changes);
        Assert.True(change.IsOpen);
        Assert.Equal(pressedAt + TimeSpan.FromMilliseconds(5), change.RawChangeAtUtc);
        Assert.Equal(pressedAt + TimeSpan.FromMilliseconds(15), change.AtUtc);
        Assert.Contains("loop open", change.Reason);
    }

    [Fact]
    public void A_bounce_shorter_than_the_debounce_is_ignored()
    {
        var (clock, chip, gpio) = Bench();
        chip.SetInput(Pin, PinValue.Low);
        using var input = new EmergencyStopInput(gpio, Options, clock);
        var changes = new List<EmergencyStopChange>();
        input.Changed += changes.Add;
        chip.SetInput(Pin, PinValue.High);
        clock.Advance(TimeSpan.FromMilliseconds(5));
        chip.SetInput(Pin, PinValue.Low);
        clock.Advance(TimeSpan.FromMilliseconds(50));
        Assert.False(input.IsOpen);
        Assert.Empty(changes);
    }

    [Fact]
    public void A_failed_read_is_an_open_loop()
    {
        var (clock, chip, gpio) = Bench();
        chip.SetInput(Pin, PinValue.Low);
        using var input = new EmergencyStopInput(gpio, Options, clock);
        chip.FailReads(Pin);
        clock.AdvanceInSteps(TimeSpan.FromMilliseconds(20), Options.SampleInterval);
        Assert.True(input.IsOpen);
        Assert.Contains("cannot be read", input.Reason);
        Assert.True(input.FailedReads >= 2);
        chip.FailReads(Pin, false);
        clock.AdvanceInSteps(TimeSpan.FromMilliseconds(20), Options.SampleInterval);
        Assert.False(input.IsOpen);
    }

    [Fact]
    public void A_pin_that_cannot_be_opened_reads_open_from_the_start()
    {
        var (clock, chip, gpio) = Bench();
        chip.RefuseOpen(Pin);
        using var input = new EmergencyStopInput(gpio, Options, clock);
        Assert.True(input.IsOpen);
        Assert.Contains("cannot be opened", input.Reason);
        clock.Advance(TimeSpan.FromMilliseconds(100));
        Assert.True(input.IsOpen);
    }

    [Fact]
    public void An_unconnected_input_with_its_pull_up_reads_open()
    {
        var (clock, _, gpio) = Bench();
        using var input = new EmergencyStopInput(gpio, Options, clock);
        Assert.True(input.IsOpen);
    }

    [Theory]
    [InlineData(-1, 10, 5)]
    [InlineData(17, 60, 5)]
    [InlineData(17, 10, 0)]
    [InlineData(17, 10, 25)]
    public void Options_out_of_range_are_refused_with_the_reason(int pin, int debounceMs, int sampleMs)
    {
        var e = Assert.Throws<ArgumentException>(() => new EmergencyStopOptions
        {
            Pin = pin, Debounce = TimeSpan.FromMilliseconds(debounceMs), SampleInterval = TimeSpan.FromMilliseconds(sampleMs),
        }.Validate());
        Assert.Contains("e-stop", e.Message);
    }
}
