using Gateway.Runtime.Devices;
using Gateway.Runtime.Journal;
using Gateway.Rigs;
using Gateway.Runtime.Status;
using Microsoft.Extensions.Logging;

namespace Gateway.Runtime.Safety;

/// <summary>The e-stop interlock of a rig with a safety section, on the lab's GPIO.</summary>
internal static class SafetyInterlocks
{
    /// <summary>
    /// Open the e-stop input and the contactor on the rig's GPIO chip. A chip that cannot be opened is not an error that
    /// stops the gateway: the e-stop then reads open (fail safe), so the gateway runs, says why, and dispatches nothing.
    /// </summary>
    public static SafetyInterlock Open(RigDefinition rig, RigSafety safety, LabHardware hardware, IReadOnlyList<DeviceLink> links, GatewayStatusBoard board,
        TimeProvider wallClock, ILogger logger, SafetyEventJournal journal)
    {
        System.Device.Gpio.GpioDriver driver;
        try
        {
            driver = hardware.OpenGpio(safety.GpioChip);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            driver = new Gateway.Drivers.Lab.UnavailableGpioDriver($"GPIO chip {safety.GpioChip} cannot be opened ({e.Message})");
        }
        var gpio = new System.Device.Gpio.GpioController(driver);
        var level = (bool high) => high ? System.Device.Gpio.PinValue.High : System.Device.Gpio.PinValue.Low;
        var estop = new Gateway.Drivers.Lab.EmergencyStopInput(gpio, new Gateway.Drivers.Lab.EmergencyStopOptions
        {
            Pin = safety.EmergencyStop.Pin, ClosedLevel = level(safety.EmergencyStop.ClosedLevelHigh), Debounce = safety.EmergencyStop.Debounce,
            // The pull makes a cut wire read as the open level.
            InputMode = safety.EmergencyStop.ClosedLevelHigh ? System.Device.Gpio.PinMode.InputPullDown : System.Device.Gpio.PinMode.InputPullUp,
        }, wallClock);
        Gateway.Drivers.Lab.ContactorOutput? contactor = null;
        string? contactorError = null;
        if (safety.Contactor is { } c)
        {
            try
            {
                contactor = new Gateway.Drivers.Lab.ContactorOutput(gpio, c.Pin, level(c.ClosedLevelHigh));
            }
            catch (IOException e)
            {
                contactorError = e.Message;
            }
        }
        if (estop.IsOpen) logger.LogCritical("safety: the e-stop reads open at start ({Reason}); nothing is dispatched until it is closed and an operator acknowledges", estop.Reason);
        return new SafetyInterlock(estop, contactor, contactorError, links, board, rig.SiteId, wallClock, logger, journal);
    }
}
