using System.Runtime.InteropServices;
using Gateway.Drivers.Devices;
using Gateway.Drivers.Modbus;
using Gateway.Drivers.Serial;
using Gateway.Drivers.Serial.Interop;
using static Gateway.Drivers.Serial.Interop.TermiosConstants;

namespace Gateway.Drivers.Tests.Serial;

/// <summary>
/// Kernel RS-485 mode (TIOCSRS485), the path the termios driver is kept for: the request we send, the choice of driver,
/// and a clear failure on devices whose driver has no RS-485 mode (a pseudo-terminal; the machine's 16550 UART).
/// </summary>
[Trait(PeerTraits.Name, PeerTraits.Socat)]
public sealed class KernelRs485Tests
{
    private static readonly SerialLineSettings Rs485Line = new(9600) { Driver = SerialDriver.Termios, Rs485 = new Rs485Settings() };

    [Fact]
    public void The_request_has_the_kernels_serial_rs485_layout()
    {
        // include/uapi/linux/serial.h: __u32 flags, delay_rts_before_send, delay_rts_after_send, then 5 words = 32 bytes.
        Assert.Equal(32, Marshal.SizeOf<SerialRs485>());
        Assert.Equal(0, (int)Marshal.OffsetOf<SerialRs485>(nameof(SerialRs485.Flags)));
        Assert.Equal(4, (int)Marshal.OffsetOf<SerialRs485>(nameof(SerialRs485.DelayRtsBeforeSendMilliseconds)));
        Assert.Equal(8, (int)Marshal.OffsetOf<SerialRs485>(nameof(SerialRs485.DelayRtsAfterSendMilliseconds)));
        Assert.Equal((nuint)0x542E, TIOCGRS485);
        Assert.Equal((nuint)0x542F, TIOCSRS485);
    }

    [Theory]
    [InlineData(true, 0, 0, false, "03000000 00000000 00000000")]
    [InlineData(false, 2, 5, false, "05000000 02000000 05000000")]
    [InlineData(true, 1, 0, true, "13000000 01000000 00000000")]
    public void The_flags_and_delays_sent_match_the_settings(bool rtsHigh, int before, int after, bool rxDuringTx, string expected)
    {
        // SER_RS485_ENABLED 1, RTS_ON_SEND 2, RTS_AFTER_SEND 4, RX_DURING_TX 0x10; little-endian words, padding zero.
        var request = SerialRs485.From(new Rs485Settings(rtsHigh, before, after, rxDuringTx));
        var bytes = MemoryMarshal.AsBytes(MemoryMarshal.CreateReadOnlySpan(ref request, 1)).ToArray();
        Assert.Equal(expected.Replace(" ", "") + new string('0', 40), Convert.ToHexString(bytes));
    }

    [Fact]
    public void Rs485_needs_the_termios_driver_and_sane_delays()
    {
        var onPorts = Assert.Throws<ArgumentException>(() => (Rs485Line with { Driver = SerialDriver.Ports }).Validate());
        Assert.Contains("needs driver=termios", onPorts.Message);
        Assert.Throws<ArgumentException>(() => SerialPortChannel.Open("/dev/null", Rs485Line));
        Assert.Throws<ArgumentOutOfRangeException>(() => (Rs485Line with { Rs485 = new Rs485Settings(DelayAfterSendMilliseconds: 101) }).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => (Rs485Line with { Rs485 = new Rs485Settings(DelayBeforeSendMilliseconds: -1) }).Validate());
    }

    [Fact]
    public async Task On_a_pty_the_ioctl_fails_and_says_why()
    {
        await using var pty = await SocatPtyPair.StartAsync();
        var error = Assert.Throws<IOException>(() => SerialChannels.Open(pty.A, Rs485Line));
        Assert.Contains($"Cannot switch {pty.A} to kernel RS-485 mode (TIOCSRS485, RS-485 RTS high on send, 0/0 ms delays)", error.Message);
        Assert.Contains("(errno 25)", error.Message);
        Assert.Contains("has no kernel RS-485 mode", error.Message);
        Assert.Equal(ENOTTY, error.HResult);

        // The same failure through a client and through the device error contract that probe and scan report.
        Assert.Throws<ModbusCommunicationException>(() => new ModbusRtuClient(pty.A, Rs485Line));
        var endpoint = $"modbus-rtu://{pty.A}?baud=9600&parity=E&rs485=on";
        var device = Assert.Throws<DeviceException>(() => ModbusDeviceClient.Open(endpoint, new ModbusClientOptions()));
        Assert.Equal(DeviceErrorKind.Unreachable, device.Kind);
        Assert.Contains("has no kernel RS-485 mode", device.Message);

        // The failed open left the pty usable.
        await using var a = SerialChannels.Open(pty.A, Rs485Line with { Rs485 = null });
    }

    [Fact]
    public void A_real_uart_answers_the_rs485_ioctl_through_the_serial_core()
    {
        // The machine's 16550 (/dev/ttyS*) is a real UART behind the kernel's serial core. It is also the console, so
        // the test only reads (TIOCGRS485) and never changes its line settings.
        string uart = FindUart() ?? throw new Xunit.Sdk.XunitException("this machine has no /dev/ttyS* UART to test the RS-485 ioctl on");
        int fd = Libc.open(uart, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
        Assert.True(fd >= 0, $"cannot open {uart}: errno {Marshal.GetLastPInvokeError()}");
        try
        {
            var current = KernelRs485.Read(fd, uart);
            Assert.Equal(0u, current.Flags & ~(SerialRs485.Enabled | SerialRs485.RtsOnSend | SerialRs485.RtsAfterSend | SerialRs485.RxDuringTx | 0x20u | 0x40u | 0x80u));
        }
        finally
        {
            Libc.close(fd);
        }

        // A pty is no UART: the serial core is not behind it, so even the read fails, with the errno in the message.
        var ptyError = Assert.Throws<IOException>(() =>
        {
            int ptmx = Libc.open("/dev/ptmx", O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
            try
            {
                KernelRs485.Read(ptmx, "/dev/ptmx");
            }
            finally
            {
                Libc.close(ptmx);
            }
        });
        Assert.Contains("(errno 25)", ptyError.Message);
    }

    [Fact]
    public void Endpoints_choose_the_driver_and_carry_the_rs485_settings()
    {
        var plain = ModbusEndpoint.Parse("modbus-rtu:///dev/ttyUSB0?baud=19200");
        Assert.Equal(SerialDriver.Ports, plain.Serial!.Driver);
        Assert.Null(plain.Serial.Rs485);

        var termios = ModbusEndpoint.Parse("modbus-rtu:///dev/ttyUSB0?driver=termios");
        Assert.Equal(SerialDriver.Termios, termios.Serial!.Driver);
        Assert.Equal(termios, ModbusEndpoint.Parse(termios.ToString()));

        var rs485 = ModbusEndpoint.Parse("modbus-rtu:///dev/ttyS1?baud=38400&rs485=on&rts=low&rts-before-ms=2&rts-after-ms=3");
        Assert.Equal(SerialDriver.Termios, rs485.Serial!.Driver);
        Assert.Equal(new Rs485Settings(RtsHighOnSend: false, DelayBeforeSendMilliseconds: 2, DelayAfterSendMilliseconds: 3), rs485.Serial.Rs485);
        Assert.Equal(rs485, ModbusEndpoint.Parse(rs485.ToString()));
        Assert.Equal(plain, ModbusEndpoint.Parse(plain.ToString()));
        Assert.DoesNotContain("driver", plain.ToString());
    }

    [Theory]
    [InlineData("modbus-rtu:///dev/ttyS1?rs485=on&driver=ports", "rs485=on needs driver=termios")]
    [InlineData("modbus-rtu:///dev/ttyS1?driver=serialport", "driver=serialport must be ports")]
    [InlineData("modbus-rtu:///dev/ttyS1?rs485=yes", "rs485=yes must be on or off")]
    [InlineData("modbus-rtu:///dev/ttyS1?rs485=on&rts=up", "rts=up must be high or low")]
    [InlineData("modbus-rtu:///dev/ttyS1?rs485=on&rts-after-ms=500", "rts-after-ms=500 must be a whole number of milliseconds, 0–100")]
    [InlineData("modbus-rtu:///dev/ttyS1?rts=low", "add rs485=on")]
    public void Bad_serial_parameters_are_named(string text, string expected)
    {
        Assert.False(ModbusEndpoint.TryParse(text, out _, out var error));
        Assert.Contains(expected, error);
    }

    private static string? FindUart()
    {
        foreach (var path in Enumerable.Range(0, 4).Select(i => $"/dev/ttyS{i}").Where(File.Exists))
        {
            int fd = Libc.open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
            if (fd < 0)
            {
                continue;
            }

            try
            {
                // TIOCGSERIAL: struct serial_struct starts with int type; 0 is PORT_UNKNOWN (no UART at that address).
                var serial = new int[32];
                if (Ioctl(fd, 0x541E, serial) == 0 && serial[0] != 0)
                {
                    return path;
                }
            }
            finally
            {
                Libc.close(fd);
            }
        }

        return null;
    }

    [DllImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static extern int Ioctl(int fd, nuint request, int[] argument);
}
