using System.Device.Gpio;
using System.Device.I2c;
using Gateway.Rigs;

namespace Gateway.Runtime.Safety;

/// <summary>
/// How the gateway reaches a lab bench's GPIO chip and I²C buses. The default opens the kernel's character devices
/// (/dev/gpiochipN through libgpiod, /dev/i2c-N); tests pass simulated chips.
/// </summary>
/// <param name="OpenGpio">Opens GPIO chip N.</param>
/// <param name="OpenI2c">Opens an INA219 meter's I²C device (null: the kernel's /dev/i2c-N).</param>
internal sealed record LabHardware(Func<int, GpioDriver> OpenGpio, Func<RigDevice, I2cDevice>? OpenI2c = null)
{
    /// <summary>The machine's own GPIO and I²C.</summary>
    public static LabHardware Kernel { get; } = new(chip => new System.Device.Gpio.Drivers.LibGpiodDriver(chip));
}
