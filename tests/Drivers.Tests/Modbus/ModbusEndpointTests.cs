using Gateway.Drivers.Modbus;
using Gateway.Drivers.Serial;

namespace Gateway.Drivers.Tests.Modbus;

public sealed class ModbusEndpointTests
{
    [Fact]
    public void Parses_tcp_with_and_without_port()
    {
        var endpoint = ModbusEndpoint.Parse("modbus-tcp://127.0.0.1:1502");
        Assert.True(endpoint.IsTcp);
        Assert.Equal("127.0.0.1", endpoint.Host);
        Assert.Equal(1502, endpoint.Port);
        Assert.Equal(502, ModbusEndpoint.Parse("modbus-tcp://localhost").Port);
        Assert.Equal("modbus-tcp://127.0.0.1:1502", endpoint.ToString());
    }

    [Fact]
    public void Parses_rtu_with_line_settings()
    {
        var endpoint = ModbusEndpoint.Parse("modbus-rtu:///dev/ttyUSB0?baud=19200&parity=N&stop=2");
        Assert.False(endpoint.IsTcp);
        Assert.Equal("/dev/ttyUSB0", endpoint.DevicePath);
        Assert.Equal(new SerialLineSettings(19200, SerialParity.None, 8, SerialStopBits.Two), endpoint.Serial);
        Assert.Equal(new SerialLineSettings(), ModbusEndpoint.Parse("modbus-rtu:///dev/ttyS0").Serial);
        Assert.Equal(endpoint, ModbusEndpoint.Parse(endpoint.ToString()));
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("http://x", "unknown scheme")]
    [InlineData("modbus-rtu://ttyUSB0", "absolute device path")]
    [InlineData("modbus-rtu:///dev/ttyUSB0?baud=1234", "baud=1234")]
    [InlineData("modbus-rtu:///dev/ttyUSB0?parity=X", "parity=X")]
    [InlineData("modbus-rtu:///dev/ttyUSB0?speed=9600", "unknown parameter 'speed'")]
    [InlineData("modbus-tcp://host:502/path", "no path")]
    public void Rejects_bad_endpoints_with_a_clear_message(string text, string expected)
    {
        Assert.False(ModbusEndpoint.TryParse(text, out _, out var error));
        Assert.Contains(expected, error);
        Assert.Throws<FormatException>(() => ModbusEndpoint.Parse(text));
    }

    [Fact]
    public void Frame_silence_follows_the_serial_line_spec()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(1.75), new SerialLineSettings(38400).FrameSilence);
        // 9600 8E1: 11 bits per character, 3.5 characters ≈ 4.01 ms.
        Assert.InRange(new SerialLineSettings(9600).FrameSilence.TotalMilliseconds, 4.0, 4.02);
    }
}
