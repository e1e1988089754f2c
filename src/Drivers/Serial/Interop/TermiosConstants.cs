namespace Gateway.Drivers.Serial.Interop;

/// <summary>Linux values of the termios, open, poll, ioctl and errno constants used here (asm-generic).</summary>
internal static class TermiosConstants
{
    public const int O_RDWR = 0x2;
    public const int O_NOCTTY = 0x100;
    public const int O_NONBLOCK = 0x800;
    public const int O_CLOEXEC = 0x80000;

    public const uint CSIZE = 0x30;
    public const uint CS7 = 0x20;
    public const uint CS8 = 0x30;
    public const uint CSTOPB = 0x40;
    public const uint CREAD = 0x80;
    public const uint PARENB = 0x100;
    public const uint PARODD = 0x200;
    public const uint CLOCAL = 0x800;
    public const uint CRTSCTS = 0x80000000;
    public const uint INPCK = 0x10;
    public const uint IXON = 0x400;
    public const uint IXOFF = 0x1000;

    public const int VTIME = 5;
    public const int VMIN = 6;

    public const int TCSANOW = 0;
    public const int TCIFLUSH = 0;
    public const int TCIOFLUSH = 2;

    /// <summary>Read the RS-485 settings of a UART (asm-generic ioctl number; x86-64, arm64 and arm share it).</summary>
    public const nuint TIOCGRS485 = 0x542E;

    /// <summary>Set the RS-485 settings of a UART.</summary>
    public const nuint TIOCSRS485 = 0x542F;

    public const short POLLIN = 0x1;
    public const short POLLERR = 0x8;
    public const short POLLHUP = 0x10;
    public const short POLLNVAL = 0x20;

    public const int ENOENT = 2;
    public const int EINTR = 4;
    public const int EIO = 5;
    public const int ENXIO = 6;
    public const int EAGAIN = 11;
    public const int EACCES = 13;
    public const int EBUSY = 16;
    public const int EINVAL = 22;
    public const int ENOTTY = 25;
    public const int EOPNOTSUPP = 95;

    /// <summary>The speed_t code of a baud rate (Bxxx in termios-baud.h).</summary>
    public static uint SpeedCode(int baudRate) => baudRate switch
    {
        1200 => 9,
        2400 => 11,
        4800 => 12,
        9600 => 13,
        19200 => 14,
        38400 => 15,
        57600 => 0x1001,
        115200 => 0x1002,
        230400 => 0x1003,
        _ => throw new ArgumentOutOfRangeException(nameof(baudRate), baudRate, "Unsupported baud rate."),
    };
}
