using System.Device.Gpio;
using Gateway.Drivers.Lab;
using Gateway.Testing;

namespace Gateway.Drivers.Tests.Lab;

public sealed class ContactorOutputTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_contactor_starts_open_and_drives_the_levels_of_its_wiring(bool activeHigh)
    {
        var chip = new FakeGpioDriver(TestClocks.New());
        using var gpio = new GpioController(chip);
        var closed = activeHigh ? PinValue.High : PinValue.Low;
        var open = activeHigh ? PinValue.Low : PinValue.High;
        using var contactor = new ContactorOutput(gpio, 27, closed);
        Assert.False(contactor.IsClosed);
        Assert.Equal(PinMode.Output, chip.Mode(27));
        Assert.Equal(open, chip.Level(27));
        contactor.Close();
        Assert.Equal(closed, chip.Level(27));
        Assert.True(contactor.IsClosed);
        contactor.Open();
        Assert.Equal(open, chip.Level(27));
        Assert.False(contactor.IsClosed);
    }

    [Fact]
    public void A_pin_that_cannot_be_driven_is_named_in_the_error()
    {
        var chip = new FakeGpioDriver(TestClocks.New());
        chip.RefuseOpen(27);
        using var gpio = new GpioController(chip);
        var e = Assert.Throws<IOException>(() => new ContactorOutput(gpio, 27, PinValue.High));
        Assert.Contains("GPIO 27", e.Message);
    }
}
