using System.Device.Gpio;

namespace Gateway.Drivers.Lab;

/// <summary>How an emergency-stop loop is wired to a GPIO input.</summary>
public sealed record EmergencyStopOptions
{
    /// <summary>GPIO line of the input (the SoC's numbering: BCM on a Raspberry Pi).</summary>
    public required int Pin { get; init; }

    /// <summary>
    /// The level the input reads while the normally-closed loop is intact (the stop is <em>not</em> pressed). Any other
    /// level, a broken wire included, reads as open.
    /// </summary>
    public PinValue ClosedLevel { get; init; } = PinValue.Low;

    /// <summary>Input mode: a pull resistor that makes a cut loop read as open (pull-up when <see cref="ClosedLevel"/> is low).</summary>
    public PinMode InputMode { get; init; } = PinMode.InputPullUp;

    /// <summary>How long a new level must hold before it counts (contact bounce, interference). Zero: at once.</summary>
    public TimeSpan Debounce { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>How often the input is sampled.</summary>
    public TimeSpan SampleInterval { get; init; } = TimeSpan.FromMilliseconds(5);

    /// <summary>Check the options; throws <see cref="ArgumentException"/> naming what is wrong.</summary>
    public EmergencyStopOptions Validate()
    {
        if (Pin < 0) throw new ArgumentException($"e-stop pin {Pin} is negative");
        if (Debounce < TimeSpan.Zero || Debounce > TimeSpan.FromMilliseconds(50))
            throw new ArgumentException($"e-stop debounce {Debounce.TotalMilliseconds} ms is outside 0..50 ms (a longer one eats the 100 ms budget to 0 kW)");
        if (SampleInterval <= TimeSpan.Zero || SampleInterval > TimeSpan.FromMilliseconds(20))
            throw new ArgumentException($"e-stop sample interval {SampleInterval.TotalMilliseconds} ms is outside (0, 20] ms");
        if (InputMode is not (PinMode.Input or PinMode.InputPullUp or PinMode.InputPullDown))
            throw new ArgumentException($"e-stop input mode {InputMode} is not an input mode");
        return this;
    }
}
