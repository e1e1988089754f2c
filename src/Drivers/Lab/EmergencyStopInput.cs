using System.Device.Gpio;

namespace Gateway.Drivers.Lab;

/// <summary>
/// An emergency-stop loop on a GPIO input, sampled on a timer and debounced. Fail safe: a level other than the closed
/// one, a read that throws, or a pin that cannot be opened all read as open.
/// </summary>
/// <remarks>
/// Sampled rather than edge-triggered so that a stuck or silently failing edge detector cannot hide an open loop; at the
/// default 5 ms interval the cost is a few hundred register reads a second. The first sample is taken in the constructor
/// and counts at once (no debounce), so the state is known before the gateway dispatches anything.
/// </remarks>
public sealed class EmergencyStopInput : IDisposable
{
    private readonly GpioController _gpio;
    private readonly EmergencyStopOptions _options;
    private readonly TimeProvider _clock;
    private readonly object _gate = new();
    private readonly ITimer _timer;
    private readonly string? _openError;
    private bool _isOpen;
    private bool? _candidate;
    private DateTimeOffset _candidateSince;
    private string _reason = "";
    private bool _disposed;

    /// <summary>Open <see cref="EmergencyStopOptions.Pin"/> on <paramref name="gpio"/> and start sampling.</summary>
    /// <param name="gpio">The GPIO controller (its driver decides which chip).</param>
    /// <param name="options">Pin, closed level, debounce and sample interval.</param>
    /// <param name="clock">Drives sampling and debouncing.</param>
    public EmergencyStopInput(GpioController gpio, EmergencyStopOptions options, TimeProvider clock)
    {
        _gpio = gpio;
        _options = options.Validate();
        _clock = clock;
        try
        {
            _gpio.OpenPin(options.Pin, options.InputMode);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A pin that cannot be opened is a loop that cannot be proved closed.
            _openError = $"GPIO {options.Pin} cannot be opened as an input: {e.Message}";
        }
        var (open, reason) = ReadLoop();
        _isOpen = open;
        _reason = reason;
        LastChange = new EmergencyStopChange(open, clock.GetUtcNow(), clock.GetUtcNow(), reason);
        _timer = clock.CreateTimer(_ => Sample(), null, options.SampleInterval, options.SampleInterval);
    }

    /// <summary>True while the loop is open (debounced).</summary>
    public bool IsOpen { get { lock (_gate) return _isOpen; } }

    /// <summary>The last accepted change (at start: the first sample).</summary>
    public EmergencyStopChange LastChange { get; private set; }

    /// <summary>Why the loop reads as it does now.</summary>
    public string Reason { get { lock (_gate) return _reason; } }

    /// <summary>Samples taken that could not read the pin (each counted as open).</summary>
    public long FailedReads => Interlocked.Read(ref _failedReads);

    private long _failedReads;

    /// <summary>
    /// Raised after a debounced change, on the sampling timer's thread; handlers must return quickly (start work, do
    /// not wait for it).
    /// </summary>
    public event Action<EmergencyStopChange>? Changed;

    /// <summary>Take one sample now (the timer calls this; tests may too).</summary>
    public void Sample()
    {
        EmergencyStopChange? change = null;
        lock (_gate)
        {
            if (_disposed) return;
            var (open, reason) = ReadLoop();
            var now = _clock.GetUtcNow();
            if (open == _isOpen)
            {
                _candidate = null;
                if (open) _reason = reason;
            }
            else
            {
                if (_candidate != open)
                {
                    _candidate = open;
                    _candidateSince = now;
                }
                if (now - _candidateSince >= _options.Debounce)
                {
                    _isOpen = open;
                    _reason = reason;
                    _candidate = null;
                    change = new EmergencyStopChange(open, now, _candidateSince, reason);
                    LastChange = change;
                }
            }
        }
        if (change is not null) Changed?.Invoke(change);
    }

    private (bool Open, string Reason) ReadLoop()
    {
        if (_openError is not null)
        {
            Interlocked.Increment(ref _failedReads);
            return (true, _openError);
        }
        try
        {
            var level = _gpio.Read(_options.Pin);
            return level == _options.ClosedLevel
                ? (false, $"GPIO {_options.Pin} reads {Name(level)}: loop closed")
                : (true, $"GPIO {_options.Pin} reads {Name(level)}: loop open (stop pressed or wire cut)");
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Interlocked.Increment(ref _failedReads);
            return (true, $"GPIO {_options.Pin} cannot be read ({e.Message}): treated as open");
        }
    }

    private static string Name(PinValue level) => level == PinValue.High ? "high" : "low";

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
        }
        _timer.Dispose();
        try
        {
            if (_openError is null && _gpio.IsPinOpen(_options.Pin)) _gpio.ClosePin(_options.Pin);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException)
        {
        }
    }
}
