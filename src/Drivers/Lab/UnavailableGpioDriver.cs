using System.Device.Gpio;

namespace Gateway.Drivers.Lab;

/// <summary>
/// The GPIO chip a rig names but this machine cannot open (no /dev/gpiochipN, no libgpiod, no permission). Every
/// operation fails with the reason, so an e-stop on it reads open and a contactor on it cannot be closed: the bench
/// stays stopped and says why.
/// </summary>
/// <param name="reason">Why the chip cannot be used, in plain words.</param>
public sealed class UnavailableGpioDriver(string reason) : GpioDriver
{
    /// <summary>Why the chip cannot be used.</summary>
    public string Reason { get; } = reason;

    private IOException Fail() => new(Reason);

    /// <inheritdoc />
    protected override int PinCount => 0;

    /// <inheritdoc />
    protected override void OpenPin(int pinNumber) => throw Fail();

    /// <inheritdoc />
    protected override void ClosePin(int pinNumber) { }

    /// <inheritdoc />
    protected override void SetPinMode(int pinNumber, PinMode mode) => throw Fail();

    /// <inheritdoc />
    protected override PinMode GetPinMode(int pinNumber) => throw Fail();

    /// <inheritdoc />
    protected override bool IsPinModeSupported(int pinNumber, PinMode mode) => false;

    /// <inheritdoc />
    protected override PinValue Read(int pinNumber) => throw Fail();

    /// <inheritdoc />
    protected override void Write(int pinNumber, PinValue value) => throw Fail();

    /// <inheritdoc />
    protected override WaitForEventResult WaitForEvent(int pinNumber, PinEventTypes eventTypes, CancellationToken cancellationToken) => throw Fail();

    /// <inheritdoc />
    protected override void AddCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback) => throw Fail();

    /// <inheritdoc />
    protected override void RemoveCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback) { }
}
