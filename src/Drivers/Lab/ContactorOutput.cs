using System.Device.Gpio;

namespace Gateway.Drivers.Lab;

/// <summary>
/// A contactor driven from a GPIO output through a relay driver. Opened (de-energised) when created, so a gateway that
/// starts, restarts or crashes leaves the bench disconnected until it decides otherwise.
/// </summary>
public sealed class ContactorOutput : IDisposable
{
    private readonly GpioController _gpio;
    private readonly int _pin;
    private readonly PinValue _closedLevel;
    private readonly object _gate = new();
    private bool _closed;

    /// <summary>Open <paramref name="pin"/> as an output at the contactor's open level.</summary>
    /// <param name="gpio">The GPIO controller.</param>
    /// <param name="pin">GPIO line of the relay driver's input.</param>
    /// <param name="closedLevel">The level that energises the relay (closes the contactor).</param>
    /// <exception cref="IOException">The pin cannot be driven (the message names it).</exception>
    public ContactorOutput(GpioController gpio, int pin, PinValue closedLevel)
    {
        _gpio = gpio;
        _pin = pin;
        _closedLevel = closedLevel;
        try
        {
            _gpio.OpenPin(pin, PinMode.Output, OpenLevel);
            _gpio.Write(pin, OpenLevel);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new IOException($"contactor output GPIO {pin} cannot be driven: {e.Message}", e);
        }
    }

    private PinValue OpenLevel => _closedLevel == PinValue.High ? PinValue.Low : PinValue.High;

    /// <summary>True when the gateway last commanded the contactor closed.</summary>
    public bool IsClosed { get { lock (_gate) return _closed; } }

    /// <summary>Open the contactor (de-energise the relay).</summary>
    /// <exception cref="IOException">The write failed.</exception>
    public void Open() => Drive(false);

    /// <summary>Close the contactor (energise the relay).</summary>
    /// <exception cref="IOException">The write failed.</exception>
    public void Close() => Drive(true);

    private void Drive(bool closed)
    {
        lock (_gate)
        {
            try
            {
                _gpio.Write(_pin, closed ? _closedLevel : OpenLevel);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                throw new IOException($"contactor output GPIO {_pin} cannot be {(closed ? "closed" : "opened")}: {e.Message}", e);
            }
            _closed = closed;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        try
        {
            Drive(false);
            _gpio.ClosePin(_pin);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
        }
    }
}
