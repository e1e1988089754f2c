using System.Device.Gpio;

namespace Gateway.Testing;

/// <summary>
/// A GPIO chip in memory: inputs are set by the test (the e-stop loop), outputs record every write with the time it
/// happened (the contactor). A pin may be told to fail its reads, to prove a failed read is treated as an open loop.
/// </summary>
public sealed class FakeGpioDriver(TimeProvider clock, int pinCount = 28) : GpioDriver
{
    private readonly object _gate = new();
    private readonly Dictionary<int, PinMode> _modes = new();
    private readonly Dictionary<int, PinValue> _levels = new();
    private readonly HashSet<int> _failing = new();
    private readonly HashSet<int> _unopenable = new();

    /// <summary>Every output write: (pin, level, when).</summary>
    public List<(int Pin, PinValue Level, DateTimeOffset At)> Writes { get; } = [];

    /// <summary>Reads served (and failed).</summary>
    public int Reads { get; private set; }

    /// <summary>Drive an input to <paramref name="level"/> (what the wiring does).</summary>
    public void SetInput(int pin, PinValue level)
    {
        lock (_gate) _levels[pin] = level;
    }

    /// <summary>Make every read of <paramref name="pin"/> throw (or stop doing so).</summary>
    public void FailReads(int pin, bool fail = true)
    {
        lock (_gate)
        {
            if (fail) _failing.Add(pin);
            else _failing.Remove(pin);
        }
    }

    /// <summary>Make opening <paramref name="pin"/> throw (a line claimed by another process).</summary>
    public void RefuseOpen(int pin)
    {
        lock (_gate) _unopenable.Add(pin);
    }

    /// <summary>The last level written to, or set on, a pin.</summary>
    public PinValue Level(int pin)
    {
        lock (_gate) return _levels.GetValueOrDefault(pin, PinValue.Low);
    }

    /// <summary>The mode a pin was opened with (null: not open).</summary>
    public PinMode? Mode(int pin)
    {
        lock (_gate) return _modes.TryGetValue(pin, out var m) ? m : null;
    }

    protected override int PinCount => pinCount;

    protected override void OpenPin(int pinNumber)
    {
        lock (_gate)
        {
            if (pinNumber < 0 || pinNumber >= pinCount) throw new ArgumentOutOfRangeException(nameof(pinNumber), $"the chip has pins 0..{pinCount - 1}");
            if (_unopenable.Contains(pinNumber)) throw new IOException($"Device or resource busy: line {pinNumber} is in use");
            _modes[pinNumber] = PinMode.Input;
        }
    }

    protected override void ClosePin(int pinNumber)
    {
        lock (_gate) _modes.Remove(pinNumber);
    }

    protected override void SetPinMode(int pinNumber, PinMode mode)
    {
        lock (_gate)
        {
            _modes[pinNumber] = mode;
            // A pull resistor sets the level of an unconnected input.
            if (!_levels.ContainsKey(pinNumber) && mode == PinMode.InputPullUp) _levels[pinNumber] = PinValue.High;
        }
    }

    protected override PinMode GetPinMode(int pinNumber)
    {
        lock (_gate) return _modes[pinNumber];
    }

    protected override bool IsPinModeSupported(int pinNumber, PinMode mode) => true;

    protected override PinValue Read(int pinNumber)
    {
        lock (_gate)
        {
            Reads++;
            if (_failing.Contains(pinNumber)) throw new IOException($"Input/output error reading line {pinNumber}");
            return _levels.GetValueOrDefault(pinNumber, PinValue.Low);
        }
    }

    protected override void Write(int pinNumber, PinValue value)
    {
        lock (_gate)
        {
            if (_modes.GetValueOrDefault(pinNumber, PinMode.Input) != PinMode.Output)
                throw new InvalidOperationException($"line {pinNumber} is not an output");
            _levels[pinNumber] = value;
            Writes.Add((pinNumber, value, clock.GetUtcNow()));
        }
    }

    protected override WaitForEventResult WaitForEvent(int pinNumber, PinEventTypes eventTypes, CancellationToken cancellationToken)
    {
        cancellationToken.WaitHandle.WaitOne();
        return new WaitForEventResult { TimedOut = true };
    }

    protected override void AddCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback) =>
        throw new NotSupportedException("the gateway samples the e-stop; it registers no edge callbacks");

    protected override void RemoveCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback) { }
}
