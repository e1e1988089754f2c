namespace Gateway.Drivers.Serial;

/// <summary>Line settings of a serial port. The defaults are Modbus RTU's: 9600 baud, 8 data bits, even parity, 1 stop bit.</summary>
/// <param name="BaudRate">Bits per second; one of the standard rates 1200–230400.</param>
/// <param name="Parity">Parity bit.</param>
/// <param name="DataBits">7 or 8.</param>
/// <param name="StopBits">Stop bits.</param>
public sealed record SerialLineSettings(int BaudRate = 9600, SerialParity Parity = SerialParity.Even, int DataBits = 8, SerialStopBits StopBits = SerialStopBits.One)
{
    /// <summary>The baud rates the Linux port supports.</summary>
    public static IReadOnlyList<int> SupportedBaudRates { get; } = [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400];

    /// <summary>The implementation that drives the port: <see cref="SerialDriver.Ports"/> (System.IO.Ports) unless kernel RS-485 mode needs termios.</summary>
    public SerialDriver Driver { get; init; } = SerialDriver.Ports;

    /// <summary>Kernel RS-485 mode, or null to leave the UART as it is (RS-232, or an adapter that switches direction itself).</summary>
    public Rs485Settings? Rs485 { get; init; }

    /// <summary>Bits on the wire per character: start + data + parity + stop.</summary>
    public int BitsPerCharacter => 1 + DataBits + (Parity == SerialParity.None ? 0 : 1) + (StopBits == SerialStopBits.Two ? 2 : 1);

    /// <summary>Time one character takes on the wire.</summary>
    public TimeSpan CharacterTime => TimeSpan.FromSeconds((double)BitsPerCharacter / BaudRate);

    /// <summary>
    /// The 3.5-character silence that ends an RTU frame; fixed at 1.75 ms above 19200 baud
    /// (Modbus over Serial Line v1.02 §2.5.1.1).
    /// </summary>
    public TimeSpan FrameSilence => BaudRate > 19200 ? TimeSpan.FromMilliseconds(1.75) : CharacterTime * 3.5;

    /// <summary>
    /// The 1.5-character limit on a gap inside an RTU frame: a sender must not pause longer than this between two characters of
    /// one frame; fixed at 0.75 ms above 19200 baud (Modbus over Serial Line v1.02 §2.5.1.1).
    /// </summary>
    public TimeSpan CharacterGapLimit => BaudRate > 19200 ? TimeSpan.FromMilliseconds(0.75) : CharacterTime * 1.5;

    /// <summary>Time <paramref name="characters"/> take on the wire.</summary>
    internal TimeSpan TransmitTime(int characters) => CharacterTime * characters;

    /// <summary>Throws when a setting is not supported.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Unsupported baud rate, data bits or RS-485 delays.</exception>
    /// <exception cref="ArgumentException">Kernel RS-485 mode asked of a driver that cannot set it.</exception>
    public SerialLineSettings Validate()
    {
        if (!SupportedBaudRates.Contains(BaudRate))
        {
            throw new ArgumentOutOfRangeException(nameof(BaudRate), BaudRate, $"Baud rate must be one of {string.Join(", ", SupportedBaudRates)}.");
        }

        if (DataBits is not (7 or 8))
        {
            throw new ArgumentOutOfRangeException(nameof(DataBits), DataBits, "Data bits must be 7 or 8.");
        }

        if (!Enum.IsDefined(Parity) || !Enum.IsDefined(StopBits))
        {
            throw new ArgumentOutOfRangeException(nameof(Parity), "Unknown parity or stop bits.");
        }

        if (!Enum.IsDefined(Driver))
        {
            throw new ArgumentOutOfRangeException(nameof(Driver), Driver, "Unknown serial driver.");
        }

        if (Rs485 is not null)
        {
            Rs485.Validate();
            if (Driver != SerialDriver.Termios)
            {
                throw new ArgumentException("Kernel RS-485 mode (rs485=on) needs driver=termios: System.IO.Ports has no way to send the TIOCSRS485 ioctl.", nameof(Rs485));
            }
        }

        return this;
    }

    /// <inheritdoc />
    public override string ToString() => $"{BaudRate} {DataBits}{Parity.ToString()[0]}{(StopBits == SerialStopBits.Two ? 2 : 1)}";
}
